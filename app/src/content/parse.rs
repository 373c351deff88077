//! `parse(path, source)`: one Markdown file with front matter into a [`Post`].
//! Pure: no I/O, so every error case is a unit test.
//!
//! The front matter is a small, strict YAML subset, one `key: value` per line:
//!
//! ```text
//! ---
//! title: Hydration without the double render
//! slug: hydration
//! date: 2026-03-14
//! author: Ada Lovelace
//! tags: [hydration, wasm]
//! excerpt: What the browser does with HTML it did not render.
//! ---
//! Markdown body…
//! ```

use crate::post::{Post, PostSummary};
use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag};
use std::{
    fmt,
    path::{Path, PathBuf},
};

const FENCE: &str = "---";
const KEYS: [&str; 6] = ["title", "slug", "date", "author", "tags", "excerpt"];
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

#[derive(Default)]
struct FrontMatter {
    title: Option<String>,
    slug: Option<String>,
    date: Option<String>,
    author: Option<String>,
    tags: Option<Vec<String>>,
    excerpt: Option<String>,
}

pub fn parse(path: &Path, source: &str) -> Result<Post, ContentError> {
    let error = |line: usize, message: String| ContentError::new(path, Some(line), message);
    let mut lines = source.lines().enumerate().map(|(i, line)| (i + 1, line));

    match lines.next() {
        Some((_, first)) if first.trim_end() == FENCE => {}
        _ => return Err(error(1, format!("expected front matter opening with `{FENCE}` on the first line"))),
    }

    let mut front = FrontMatter::default();
    let mut closing_line = None;
    for (number, line) in lines.by_ref() {
        let line = line.trim_end();
        if line == FENCE {
            closing_line = Some(number);
            break;
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(error(number, format!("expected `key: value`, found `{line}`")));
        };
        let (key, value) = (key.trim(), value.trim());
        let slot = match key {
            "title" => &mut front.title,
            "slug" => &mut front.slug,
            "date" => &mut front.date,
            "author" => &mut front.author,
            "excerpt" => &mut front.excerpt,
            "tags" => {
                if front.tags.is_some() {
                    return Err(error(number, "`tags` is set twice".into()));
                }
                front.tags = Some(parse_list(value).map_err(|message| error(number, message))?);
                continue;
            }
            other => {
                return Err(error(
                    number,
                    format!("unknown key `{other}`; expected one of {}", KEYS.join(", ")),
                ))
            }
        };
        if slot.is_some() {
            return Err(error(number, format!("`{key}` is set twice")));
        }
        let value = unquote(value).map_err(|message| error(number, message))?;
        if value.is_empty() {
            return Err(error(number, format!("`{key}` is empty")));
        }
        if key == "slug" && !is_valid_slug(&value) {
            return Err(error(
                number,
                format!("slug `{value}` may hold only lowercase letters, digits and single dashes"),
            ));
        }
        if key == "date" && !is_valid_date(&value) {
            return Err(error(number, format!("date `{value}` is not a calendar date in the form YYYY-MM-DD")));
        }
        *slot = Some(value);
    }

    let Some(closing_line) = closing_line else {
        return Err(error(1, format!("front matter opened here is never closed with `{FENCE}`")));
    };
    let missing = |key: &str| error(closing_line, format!("front matter lacks `{key}`"));
    let body: String = source.lines().skip(closing_line).collect::<Vec<_>>().join("\n");

    Ok(Post {
        summary: PostSummary {
            title: front.title.ok_or_else(|| missing("title"))?,
            slug: front.slug.ok_or_else(|| missing("slug"))?,
            date: front.date.ok_or_else(|| missing("date"))?,
            author: front.author.ok_or_else(|| missing("author"))?,
            tags: front.tags.ok_or_else(|| missing("tags"))?,
            excerpt: front.excerpt.ok_or_else(|| missing("excerpt"))?,
            reading_minutes: body.split_whitespace().count().div_ceil(WORDS_PER_MINUTE).max(1) as u32,
        },
        body_html: render_markdown(&body),
    })
}

/// `"quoted \"text\""` or bare text.
fn unquote(value: &str) -> Result<String, String> {
    let Some(inner) = value.strip_prefix('"') else {
        return Ok(value.to_string());
    };
    let Some(inner) = inner.strip_suffix('"') else {
        return Err(format!("unterminated quoted string `{value}`"));
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped @ ('"' | '\\')) => out.push(escaped),
                Some(other) => return Err(format!("unknown escape `\\{other}` in `{value}`")),
                None => return Err(format!("dangling `\\` in `{value}`")),
            },
            '"' => return Err(format!("unescaped `\"` inside `{value}`")),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// `[a, "b c"]`
fn parse_list(value: &str) -> Result<Vec<String>, String> {
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .ok_or_else(|| format!("expected a list like `[rust, ssr]`, found `{value}`"))?;
    if inner.trim().is_empty() {
        return Ok(Vec::new());
    }
    inner
        .split(',')
        .map(|item| {
            let item = unquote(item.trim())?;
            if item.is_empty() {
                Err(format!("empty item in list `{value}`"))
            } else {
                Ok(item)
            }
        })
        .collect()
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
fn render_markdown(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
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
    html::push_html(&mut out, events);
    out
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
        assert!(post.body_html.contains("<h1>Heading</h1>"));
        assert!(post.body_html.contains("<em>text</em>"));
    }

    #[test]
    fn missing_opening_fence_names_line_one() {
        assert_eq!(
            error_of("title: x\n"),
            "content/posts/x.md:1: expected front matter opening with `---` on the first line"
        );
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert!(error_of("---\ntitle: x\n").contains(":1: front matter opened here is never closed"));
    }

    #[test]
    fn unknown_key_names_its_line() {
        let source = GOOD.replace("author: Ada", "auther: Ada");
        assert_eq!(
            error_of(&source),
            "content/posts/x.md:5: unknown key `auther`; expected one of title, slug, date, author, tags, excerpt"
        );
    }

    #[test]
    fn line_without_colon_names_its_line() {
        let source = GOOD.replace("author: Ada", "author Ada");
        assert!(error_of(&source).starts_with("content/posts/x.md:5: expected `key: value`"));
    }

    #[test]
    fn missing_key_points_at_the_closing_fence() {
        let source = GOOD.replace("excerpt: What the browser does.\n", "");
        assert_eq!(error_of(&source), "content/posts/x.md:7: front matter lacks `excerpt`");
    }

    #[test]
    fn bad_date_slug_list_and_quotes_are_rejected() {
        assert!(error_of(&GOOD.replace("2026-03-14", "2026-02-30")).contains(":4: date `2026-02-30`"));
        assert!(error_of(&GOOD.replace("slug: hydration", "slug: ../etc")).contains(":3: slug `../etc`"));
        assert!(error_of(&GOOD.replace("[hydration, wasm]", "hydration")).contains(":6: expected a list"));
        assert!(error_of(&GOOD.replace("[hydration, wasm]", "[a,,b]")).contains(":6: empty item"));
        assert!(error_of(&GOOD.replace("author: Ada", "author: \"Ada")).contains(":5: unterminated"));
        assert!(error_of(&GOOD.replace("author: Ada", "title: again")).contains(":5: `title` is set twice"));
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
