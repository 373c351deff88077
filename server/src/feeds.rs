//! What the build writes beside the pages for feed readers and crawlers:
//! `feed.xml` (Atom), `sitemap.xml` and `robots.txt`, every URL absolute
//! under `SITE_URL`. Like SSG pages, they change with the next `make build`.
//!
//! The feed carries each post whole (`<content type="html">`), so it can be
//! read in the reader without a visit, and its `<summary>` is the post's
//! description. It holds the newest [`FEED_ENTRIES`] posts: readers poll it
//! often, and a site with ten thousand posts should not send them all.

use app::{
    post::{post_path, Post},
    site::SITE_TITLE,
    Strategy,
};
use std::fmt::Write;

/// How many of the newest posts the feed holds.
pub const FEED_ENTRIES: usize = 20;

/// The Atom feed of `posts` (newest first). `built_at` is its `<updated>`
/// when there is no post to take it from (RFC 3339).
pub fn atom_feed(site_url: &str, posts: &[Post], built_at: &str) -> String {
    let entries = &posts[..posts.len().min(FEED_ENTRIES)];
    let updated = entries.iter().map(|post| timestamp(last_change(post))).max().unwrap_or_else(|| built_at.to_string());
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(xml, r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{}/">"#, escape(site_url));
    let _ = writeln!(xml, "  <title>{}</title>", escape(SITE_TITLE));
    let _ = writeln!(xml, r#"  <link rel="self" type="application/atom+xml" href="{}/feed.xml"/>"#, escape(site_url));
    let _ = writeln!(xml, r#"  <link rel="alternate" type="text/html" href="{}/"/>"#, escape(site_url));
    let _ = writeln!(xml, "  <id>{}/</id>", escape(site_url));
    let _ = writeln!(xml, "  <updated>{updated}</updated>");
    for post in entries {
        let summary = &post.summary;
        let url = format!("{site_url}{}", post_path(&summary.slug));
        xml.push_str("  <entry>\n");
        let _ = writeln!(xml, "    <title>{}</title>", escape(&summary.title));
        let _ = writeln!(xml, r#"    <link rel="alternate" type="text/html" href="{}"/>"#, escape(&url));
        let _ = writeln!(xml, "    <id>{}</id>", escape(&url));
        let _ = writeln!(xml, "    <published>{}</published>", timestamp(&summary.date));
        let _ = writeln!(xml, "    <updated>{}</updated>", timestamp(last_change(post)));
        let _ = writeln!(xml, "    <author><name>{}</name></author>", escape(&summary.author));
        for tag in &summary.tags {
            let _ = writeln!(xml, r#"    <category term="{}"/>"#, escape(tag));
        }
        let _ = writeln!(xml, "    <summary>{}</summary>", escape(summary.description()));
        let _ = writeln!(xml, r#"    <content type="html">{}</content>"#, escape(&post.body_html));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// The sitemap: every page the route table serves, each post's with its date.
pub fn sitemap(site_url: &str, pages: &[(String, Strategy, Option<&Post>)]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (path, _, post) in pages {
        let _ = write!(xml, "  <url><loc>{}</loc>", escape(&format!("{site_url}{path}")));
        if let Some(post) = post {
            let _ = write!(xml, "<lastmod>{}</lastmod>", last_change(post));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Every crawler may read everything, and is told where the sitemap is.
pub fn robots(site_url: &str) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {site_url}/sitemap.xml\n")
}

/// `YYYY-MM-DD`: when the post last changed.
fn last_change(post: &Post) -> &str {
    post.summary.updated.as_deref().unwrap_or(&post.summary.date)
}

/// A post's `YYYY-MM-DD` as the RFC 3339 time Atom wants: that day's midnight, UTC.
fn timestamp(date: &str) -> String {
    format!("{date}T00:00:00Z")
}

/// Text or attribute content for XML: the five markup characters escaped, and
/// the control characters that XML 1.0 cannot hold at all dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_characters_xml_forbids_are_dropped() {
        assert_eq!(escape("a<b>&\"c\"'\u{0}\u{8}\tz\u{FFFF}"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;\tz");
    }

    #[test]
    fn robots_names_the_sitemap() {
        assert!(robots("https://blog.example.org").ends_with("Sitemap: https://blog.example.org/sitemap.xml\n"));
    }
}
