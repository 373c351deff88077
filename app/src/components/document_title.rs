use crate::site::SITE_TITLE;
use leptos::prelude::*;
use leptos_meta::Title;

/// The document's `<title>`: the page's own title, then the site's. leptos_meta
/// 0.8 writes a title into the server's HTML as it is, so a title holding
/// `</title>` could end the element and start markup of its own: the text is
/// escaped first, and the browser decodes the entities back. Every page sets
/// its title through this component.
#[component]
pub fn DocumentTitle(#[prop(into)] text: String) -> impl IntoView {
    view! { <Title text=escape_text(&format!("{text} · {SITE_TITLE}"))/> }
}

fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_title_cannot_close_its_element() {
        assert_eq!(super::escape_text("a</title><b>&c"), "a&lt;/title&gt;&lt;b&gt;&amp;c");
    }
}
