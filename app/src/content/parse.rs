//! `parse(path, source)`: one Markdown file with front matter into a [`Post`].
//! Pure: no I/O, so every error case is a unit test.
//!
//! The front matter is YAML, between `---` lines, read through serde by
//! serde-saphyr: any valid YAML spelling of these keys works (plain, quoted or
//! escaped strings, flow `[a, b]` or block `- a` lists).
//!
//! ```text
//! ---
//! title: Hydration without the double render
//! slug: hydration
//! date: 2026-03-14
//! author: Ada Lovelace
//! tags: [hydration, wasm]
//! excerpt: What the browser does with HTML it did not render.
//! description: Optional; replaces the excerpt in the page's meta tags.
//! updated: 2026-04-01     # optional
//! draft: true             # optional: built and served only with SHOW_DRAFTS=1
//! ---
//! Markdown body…
//! ```

use crate::post::{Post, PostSummary};
use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::{
    fmt,
    path::{Path, PathBuf},
};

const FENCE: &str = "---";
const WORDS_PER_MINUTE: usize = 200;

/// A content error names the file and, where it has one, the line: `file:line: what to fix`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ContentError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl ContentError {
    pub fn new(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        ContentError { file: file.to_path_buf(), line, message: message.into() }
    }
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// The keys a post may set. Any other key is an error that lists these.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Spanned<String>,
    slug: Spanned<String>,
    date: Spanned<String>,
    author: Spanned<String>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    excerpt: Spanned<String>,
    #[serde(default)]
    description: Option<Spanned<String>>,
    #[serde(default)]
    updated: Option<Spanned<String>>,
    #[serde(default)]
    draft: bool,
}

pub fn parse(path: &Path, source: &str) -> Result<Post, ContentError> {
    let error = |line: usize, message: String| ContentError::new(path, Some(line), message);
    // An editor's byte order mark is not part of the text.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    if lines.first().map(|line| line.trim_end()) != Some(FENCE) {
        return Err(error(1, format!("expected front matter opening with `{FENCE}` on the first line")));
    }
    let Some(closing) = lines.iter().skip(1).position(|line| line.trim_end() == FENCE) else {
        return Err(error(1, format!("front matter opened here is never closed with `{FENCE}`")));
    };
    // Line numbers in the file: the YAML starts on line 2, the fence closes it on `closing_line`.
    let closing_line = closing + 2;
    let yaml = lines[1..closing_line - 1].concat();
    let body = lines[closing_line..].concat();
    let at = |value: &Spanned<String>| value.referenced.line() as usize + 1;

    let front: FrontMatter = serde_saphyr::from_str(&yaml).map_err(|e| {
        let message = e.without_snippet().to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).trim();
        if let Some(key) = message.strip_prefix("missing field ") {
            return error(closing_line, format!("front matter lacks {key}"));
        }
        let line = e.location().map_or(closing_line, |location| location.line() as usize + 1);
        error(line, explain(message, lines.get(line - 1).map_or("", |text| text.trim())))
    })?;
    let required = [("title", &front.title), ("slug", &front.slug), ("author", &front.author), ("excerpt", &front.excerpt)];
    for (key, value) in required.into_iter().chain(front.description.as_ref().map(|d| ("description", d))) {
        if value.value.trim().is_empty() {
            return Err(error(at(value), format!("`{key}` is empty")));
        }
    }
    if !is_valid_slug(&front.slug.value) {
        let message = format!("slug `{}` may hold only lowercase letters, digits and single dashes", front.slug.value);
        return Err(error(at(&front.slug), message));
    }
    for (key, date) in [("date", Some(&front.date)), ("updated", front.updated.as_ref())] {
        if let Some(date) = date.filter(|date| !is_valid_date(&date.value)) {
            return Err(error(at(date), format!("{key} `{}` is not a calendar date in the form YYYY-MM-DD", date.value)));
        }
    }
    if let Some(tag) = front.tags.iter().find(|tag| tag.value.is_empty()) {
        return Err(error(at(tag), "a tag is empty".into()));
    }

    Ok(Post {
        summary: PostSummary {
            title: front.title.value,
            slug: front.slug.value,
            date: front.date.value,
            updated: front.updated.map(|updated| updated.value),
            author: front.author.value,
            tags: front.tags.into_iter().map(|tag| tag.value).collect(),
            excerpt: front.excerpt.value,
            description: front.description.map(|description| description.value),
            draft: front.draft,
            reading_minutes: body.split_whitespace().count().div_ceil(WORDS_PER_MINUTE).max(1) as u32,
        },
        body_html: render_markdown(&body),
    })
}

/// serde-saphyr's message for a YAML or type error on `line`, said in terms of
/// this file's keys where it names something a post author can fix.
fn explain(message: &str, line: &str) -> String {
    if message == "expected mapping start" || message.starts_with("simple key expected") {
        return format!("expected `key: value`, found `{line}`");
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return format!("unknown key {}", rest.replacen(", expected", "; expected", 1));
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("`{key}` is set twice");
    }
    match line.split_once(':').map(|(key, _)| key.trim()) {
        Some("tags") if message.contains("sequence") => {
            "`tags` must be a list: `[rust, ssr]`, or one `- tag` per line".to_string()
        }
        Some("draft") if message.contains("bool") || message.contains("boolean") => {
            "`draft` must be `true` or `false`".to_string()
        }
        Some(key) if message.contains("null") => format!("`{key}` has no value"),
        Some(key) if message.contains("expected string") => format!("`{key}` must be text, not a list or a mapping"),
        _ => message.to_string(),
    }
}

fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_valid_date(date: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format).is_ok()
}

/// Markdown to HTML. Raw HTML in a post is shown as text, never passed through,
/// and links or images to script URLs lose their target: content can't run code.
/// Headings go one level down (`#` is `<h2>`): the post's title is the page's one `<h1>`.
fn render_markdown(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: below(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(below(level))),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => Event::Start(Tag::Link {
            link_type,
            dest_url: inert_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => Event::Start(Tag::Image {
            link_type: match link_type {
                LinkType::Email => LinkType::Inline,
                other => other,
            },
            dest_url: inert_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, highlighted_code_blocks(events));
    out
}

/// Replaces each code block's events with its highlighted HTML: the one HTML
/// event a post's body has, written by us from the escaped tokens.
fn highlighted_code_blocks<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut block: Option<(String, String)> = None;
    events.filter_map(move |event| match (event, &mut block) {
        (Event::Start(Tag::CodeBlock(kind)), _) => {
            let info = match kind {
                CodeBlockKind::Fenced(info) => info.to_string(),
                CodeBlockKind::Indented => String::new(),
            };
            block = Some((info, String::new()));
            None
        }
        (Event::Text(text), Some((_, code))) => {
            code.push_str(&text);
            None
        }
        (Event::End(TagEnd::CodeBlock), Some(_)) => {
            let (info, code) = block.take().expect("inside a block");
            Some(Event::Html(super::highlight::code_block(&info, &code).into()))
        }
        (event, _) => Some(event),
    })
}

/// The next heading level down; `<h6>` stays.
fn below(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

fn inert_url(url: CowStr<'_>) -> CowStr<'_> {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    if ["javascript:", "vbscript:", "data:"].iter().any(|bad| scheme.starts_with(bad)) {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\ntitle: \"Hydration, \\\"explained\\\"\"\nslug: hydration\ndate: 2026-03-14\nauthor: Ada\ntags: [hydration, wasm]\nexcerpt: What the browser does.\n---\n# Heading\n\nSome *text* here.\n";

    fn parse_str(source: &str) -> Result<Post, ContentError> {
        parse(Path::new("content/posts/x.md"), source)
    }

    fn error_of(source: &str) -> String {
        parse_str(source).expect_err("the post is broken").to_string()
    }

    #[test]
    fn a_well_formed_post_parses_with_its_markdown_rendered() {
        let post = parse_str(GOOD).unwrap();
        assert_eq!(post.summary.title, "Hydration, \"explained\"");
        assert_eq!(post.summary.slug, "hydration");
        assert_eq!(post.summary.date, "2026-03-14");
        assert_eq!(post.summary.tags, ["hydration", "wasm"]);
        assert_eq!(post.summary.reading_minutes, 1);
        assert_eq!((post.summary.updated, post.summary.description, post.summary.draft), (None, None, false));
        assert!(post.body_html.contains("<h2>Heading</h2>"), "one level down: the title is the page's h1");
        assert!(post.body_html.contains("<em>text</em>"));
    }

    /// Each line replaces `from` in GOOD with `to`, then checks one field.
    #[test]
    fn every_valid_yaml_spelling_parses() {
        let cases: &[(&str, &str, fn(&PostSummary) -> String, &str)] = &[
            ("author: Ada", "author: 'Ada O''Neil'", |p| p.author.clone(), "Ada O'Neil"),
            ("author: Ada", "author: \"A \\u2014 B\"", |p| p.author.clone(), "A \u{2014} B"),
            ("author: Ada", "author: Ada # a comment", |p| p.author.clone(), "Ada"),
            ("author: Ada", "author: >-\n  Ada\n  Lovelace", |p| p.author.clone(), "Ada Lovelace"),
            ("title: \"Hydration, \\\"explained\\\"\"", "title: 2026", |p| p.title.clone(), "2026"),
            ("tags: [hydration, wasm]", "tags:\n  - hydration\n  - \"web assembly\"", |p| p.tags.join("|"), "hydration|web assembly"),
            ("tags: [hydration, wasm]", "tags: []", |p| p.tags.join("|"), ""),
            ("tags: [hydration, wasm]\n", "", |p| p.tags.join("|"), ""),
            ("date: 2026-03-14", "date: '2026-03-14'", |p| p.date.clone(), "2026-03-14"),
            ("author: Ada", "author: Ada\nupdated: 2026-04-01", |p| format!("{:?}", p.updated), "Some(\"2026-04-01\")"),
            ("author: Ada", "author: Ada\ndraft: true", |p| p.draft.to_string(), "true"),
            ("author: Ada", "author: Ada\ndescription: For search engines.", |p| p.description().to_string(), "For search engines."),
            ("---\ntitle", "\u{feff}---\ntitle", |p| p.slug.clone(), "hydration"),
        ];
        for (from, to, field, expected) in cases {
            assert!(GOOD.contains(from), "{from:?}");
            let post = parse_str(&GOOD.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{to:?}: {e}"));
            assert_eq!(field(&post.summary), *expected, "{to:?}");
        }
    }

    #[test]
    fn every_invalid_front_matter_names_its_line_and_what_to_fix() {
        let cases = [
            ("title: \"", "title x\ntitle: \"", "2: expected `key: value`, found `title x`"),
            ("author: Ada", "auther: Ada", "5: unknown key `auther`; expected one of title, slug, date, author, tags, excerpt, description, updated, draft"),
            ("author: Ada", "author Ada", "5: expected `key: value`, found `author Ada`"),
            ("excerpt: What the browser does.\n", "", "7: front matter lacks `excerpt`"),
            ("author: Ada", "author:", "5: `author` has no value"),
            ("author: Ada", "author: \"\"", "5: `author` is empty"),
            ("author: Ada", "author: [a, b]", "5: `author` must be text, not a list or a mapping"),
            ("author: Ada", "author: \"Ada", "5: unclosed quote"),
            ("author: Ada", "title: again", "5: `title` is set twice"),
            ("2026-03-14", "2026-02-30", "4: date `2026-02-30` is not a calendar date in the form YYYY-MM-DD"),
            ("author: Ada", "author: Ada\nupdated: soon", "6: updated `soon` is not a calendar date in the form YYYY-MM-DD"),
            ("slug: hydration", "slug: ../etc", "3: slug `../etc` may hold only lowercase letters, digits and single dashes"),
            ("[hydration, wasm]", "hydration", "6: `tags` must be a list: `[rust, ssr]`, or one `- tag` per line"),
            ("[hydration, wasm]", "[a, '']", "6: a tag is empty"),
            ("author: Ada", "author: Ada\ndraft: maybe", "6: `draft` must be `true` or `false`"),
        ];
        for (from, to, expected) in cases {
            assert!(GOOD.contains(from), "{from:?}");
            assert_eq!(error_of(&GOOD.replacen(from, to, 1)), format!("content/posts/x.md:{expected}"), "{to:?}");
        }
    }

    #[test]
    fn a_file_without_front_matter_is_refused() {
        assert_eq!(error_of("title: x\n"), "content/posts/x.md:1: expected front matter opening with `---` on the first line");
        assert_eq!(error_of("---\ntitle: x\n"), "content/posts/x.md:1: front matter opened here is never closed with `---`");
    }

    #[test]
    fn raw_html_in_markdown_is_shown_as_text() {
        let post = parse_str(&format!("{GOOD}\n<script>window.__pwned=1</script>\n\nInline <img src=x onerror=alert(1)> too.\n")).unwrap();
        assert!(!post.body_html.contains("<script"), "{}", post.body_html);
        assert!(!post.body_html.contains("<img"), "{}", post.body_html);
        assert!(post.body_html.contains("&lt;script&gt;"));
    }

    #[test]
    fn script_urls_lose_their_target() {
        let post = parse_str(&format!("{GOOD}\n[a](javascript:alert(1)) [b]( JaVaScRiPt:x) ![c](data:text/html,x) [ok](https://example.org/)\n")).unwrap();
        assert!(!post.body_html.to_lowercase().contains("javascript:"), "{}", post.body_html);
        assert!(!post.body_html.contains("data:"), "{}", post.body_html);
        assert!(post.body_html.contains("href=\"https://example.org/\""));
    }
}
