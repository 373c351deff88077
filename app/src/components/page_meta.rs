use crate::site::{PageUrl, SITE_DESCRIPTION, SITE_TITLE};
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

/// Whether a page is a piece of writing (a post) or a page of the site, as
/// OpenGraph tells link previews.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub enum PageKind {
    #[default]
    Website,
    Article,
}

/// What the `<head>` says about a page: its `<title>` (the page's own title,
/// then the site's; the site's alone on the front page, which has none), its
/// description, the canonical URL, and the OpenGraph and Twitter card tags
/// that search engines and link previews read. Every page sets these through
/// this component.
///
/// leptos_meta 0.8 writes a title into the server's HTML as it is, so a title
/// holding `</title>` could end the element and start markup of its own: the
/// title text is escaped first, and the browser decodes the entities back.
/// (Attribute values are escaped by Leptos itself.)
#[component]
pub fn PageMeta(
    #[prop(optional, into)] title: Option<String>,
    #[prop(optional, into)] description: Option<String>,
    #[prop(optional)] kind: PageKind,
) -> impl IntoView {
    let description = description.unwrap_or_else(|| SITE_DESCRIPTION.to_string());
    // Known on the server, which knows SITE_URL and the request; a page that
    // the browser renders (CSR) has the server's tags in its shell already.
    let url = use_context::<PageUrl>().map(|PageUrl(url)| url);
    let og_type = if kind == PageKind::Article { "article" } else { "website" };
    let full_title = title.as_ref().map_or_else(|| SITE_TITLE.to_string(), |title| format!("{title} · {SITE_TITLE}"));
    let title = title.unwrap_or_else(|| SITE_TITLE.to_string());
    view! {
        <Title text=escape_text(&full_title)/>
        <Meta name="description" content=description.clone()/>
        {url.clone().map(|url| view! { <Link rel="canonical" href=url/> })}
        <Meta property="og:site_name" content=SITE_TITLE/>
        <Meta property="og:type" content=og_type/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        {url.map(|url| view! { <Meta property="og:url" content=url/> })}
        <Meta name="twitter:card" content="summary"/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
    }
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
