//! Fenced code blocks, highlighted once, when a post is loaded, on the server.
//! Each token gets CSS classes (`hl-keyword`, `hl-string`, …) from syntect's
//! grammars; their colours are the theme in `style/main.css`. The browser
//! bundle never contains the highlighter: this module is behind `ssr`.

use std::sync::{Arc, Mutex, PoisonError, Weak};
use syntect::{
    html::{ClassStyle, ClassedHTMLGenerator},
    parsing::{SyntaxReference, SyntaxSet},
    util::LinesWithEndings,
};

/// Every class starts with `hl-`, so the theme's selectors never meet the site's own.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// syntect's bundled grammars (Rust, HTML, JavaScript, TOML, shell, …), while
/// anything holds them. Posts are highlighted once, when read; kept for good,
/// the grammars would be the largest thing in the server's memory.
static SYNTAXES: Mutex<Weak<SyntaxSet>> = Mutex::new(Weak::new());

/// The grammars, loaded unless something holds them already. Hold the result
/// while reading many posts: each call without it loads them again.
pub fn grammars() -> Arc<SyntaxSet> {
    let mut cached = SYNTAXES.lock().unwrap_or_else(PoisonError::into_inner);
    cached.upgrade().unwrap_or_else(|| {
        let loaded = Arc::new(SyntaxSet::load_defaults_newlines());
        *cached = Arc::downgrade(&loaded);
        loaded
    })
}

/// `code` as `<pre><code class="language-…">`, its tokens highlighted and
/// escaped. A fence's info string may say more than the language (`rust,ignore`):
/// its first word picks the grammar. Unknown or none: plain, escaped text.
pub fn code_block(info: &str, code: &str) -> String {
    let syntaxes = grammars();
    let language = info.split(|c: char| c.is_whitespace() || c == ',').next().unwrap_or("");
    let syntax = syntaxes.find_syntax_by_token(language).unwrap_or_else(|| syntaxes.find_syntax_plain_text());
    // A grammar that fails on this input: the code as plain text, which cannot fail.
    let plain = || highlighted(&syntaxes, syntaxes.find_syntax_plain_text(), code);
    let body = highlighted(&syntaxes, syntax, code).or_else(plain).unwrap_or_default();
    // The language is the post's text: it names a class only if it is a plain word.
    let is_word = !language.is_empty() && language.chars().all(|c| c.is_ascii_alphanumeric() || "+#-_".contains(c));
    let class = if is_word { format!(" class=\"language-{language}\"") } else { String::new() };
    format!("<pre><code{class}>{body}</code></pre>\n")
}

/// `code`'s tokens, escaped, each in a `<span>` with its scopes as classes.
fn highlighted(syntaxes: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut tokens = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    LinesWithEndings::from(code).try_for_each(|line| tokens.parse_html_for_line_which_includes_newline(line)).ok()?;
    Some(tokens.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_gets_token_classes() {
        let html = code_block("rust", "fn main() {\n    let answer = \"forty-two\"; // why\n}\n");
        assert!(html.starts_with("<pre><code class=\"language-rust\">"), "{html}");
        for class in ["hl-storage", "hl-entity hl-name hl-function", "hl-string", "hl-comment"] {
            assert!(html.contains(class), "{class} in {html}");
        }
    }

    #[test]
    fn hostile_code_and_info_strings_stay_text() {
        let html = code_block("html", "<script>alert(1)</script>\n");
        assert!(!html.contains("<script>") && html.contains("&lt;"), "{html}");
        let html = code_block("\"><img src=x onerror=alert(1)>", "</code></pre><script>alert(2)</script>\n");
        assert!(html.starts_with("<pre><code>"), "a language that is not a word names no class: {html}");
        assert!(!html.contains("<script>") && !html.contains("<img"), "{html}");
        let unknown = code_block("no-such-language", "a < b\n");
        assert_eq!(unknown, "<pre><code class=\"language-no-such-language\"><span class=\"hl-text hl-plain\">a &lt; b\n</span></code></pre>\n");
    }
}
