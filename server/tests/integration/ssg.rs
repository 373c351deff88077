//! SSG: pages written by the build step, served as files, frozen until the next build.

use crate::common::{attribute_values, edit_post, eventually, post_slugs, prerender, spawn_in, PlainFileServer, TestDirs};
use std::{
    time::{Duration, SystemTime},
};

#[tokio::test]
async fn prerender_writes_every_page_as_an_index_file() {
    let dirs = TestDirs::new();
    prerender(&dirs.config()).await;
    let site = dirs.site();
    assert!(site.join("posts/index.html").is_file());
    assert!(site.join("isr/index.html").is_file()); // @demo
    assert!(site.join("404.html").is_file());
    for slug in post_slugs(&dirs.posts_dir()) {
        let page = std::fs::read_to_string(site.join(format!("posts/{slug}/index.html"))).unwrap();
        assert!(page.contains("data-render-strategy=\"ssg\""), "{slug}");
        assert!(page.contains(&format!("data-post-slug=\"{slug}\"")), "{slug}");
    }
}

#[tokio::test]
async fn an_ssg_page_is_the_same_bytes_across_requests_and_a_restart() {
    let dirs = TestDirs::new();
    prerender(&dirs.config()).await;
    let file = dirs.site().join("posts/index.html");
    let written: SystemTime = std::fs::metadata(&file).unwrap().modified().unwrap();

    let server = spawn_in(dirs.clone(), dirs.config()).await;
    let first = server.get("/posts").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-render-strategy"), Some("ssg"));
    assert_eq!(first.header("cache-control"), Some("public, max-age=0, must-revalidate"));
    assert!(first.header("server-timing").unwrap().starts_with("file;dur="));
    assert_eq!(first.body, std::fs::read(&file).unwrap(), "the build's file, as it is (its stamp and nonce too)");
    tokio::time::sleep(Duration::from_millis(20)).await; // a new stamp, were the page rendered again
    assert_eq!(server.get("/posts").await.body, first.body, "the same page on the next request");
    assert_eq!(server.get("/posts/").await.body, first.body, "and with a trailing slash");

    let server = server.restart().await;
    assert_eq!(server.get("/posts").await.body, first.body, "the same page after a restart");
    assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), written, "a restart rewrites nothing");
}

#[tokio::test]
async fn post_pages_are_served_from_files_and_unknown_slugs_get_the_404_page() {
    let dirs = TestDirs::new();
    prerender(&dirs.config()).await;
    let server = spawn_in(dirs.clone(), dirs.config()).await;
    let slug = post_slugs(&dirs.posts_dir()).remove(0);
    for path in [format!("/posts/{slug}"), format!("/posts/{slug}/")] {
        let response = server.get(&path).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("x-render-strategy"), Some("ssg"));
        assert!(response.text().contains("class=\"post-body\""));
    }
    for path in ["/posts/no-such-post", "/posts/..%2f..%2fetc%2fpasswd", "/posts/.hidden"] {
        let response = server.get(path).await;
        assert_eq!(response.status, 404, "{path}");
        assert!(response.text().contains("404: nothing here"), "{path}");
    }
}

#[tokio::test]
async fn an_edit_shows_in_what_is_rendered_at_once_but_on_ssg_only_after_the_next_build() {
    let dirs = TestDirs::new();
    let live = "/ssr"; // @demo
    // @minimal: let live = "/api/posts";
    prerender(&dirs.config()).await;
    let server = spawn_in(dirs.clone(), dirs.config()).await;
    let slug = post_slugs(&dirs.posts_dir()).remove(0);
    edit_post(&dirs.posts_dir(), &slug, "title: ", "title: Rewritten ");

    eventually(Duration::from_secs(5), "the edit shows in what is rendered per request", || async {
        server.get(live).await.text().contains("Rewritten ")
    })
    .await;
    assert!(!server.get("/posts").await.text().contains("Rewritten "), "SSG still shows the build's version");

    prerender(&dirs.config()).await;
    assert!(server.get("/posts").await.text().contains("Rewritten "), "the next build shows it");
}

#[tokio::test]
async fn a_rebuild_removes_the_pages_it_no_longer_produces() {
    let dirs = TestDirs::new();
    prerender(&dirs.config()).await;
    let server = spawn_in(dirs.clone(), dirs.config()).await;
    let deleted = post_slugs(&dirs.posts_dir()).remove(0);
    let deleted_page = format!("/posts/{deleted}");
    assert_eq!(server.get(&deleted_page).await.status, 200);
    // What an earlier build left for a route that the table no longer has.
    let dropped_route = dirs.site().join("dropped-route");
    std::fs::create_dir(&dropped_route).unwrap();
    std::fs::write(dropped_route.join("index.html"), "<p>an old page</p>").unwrap();
    std::fs::write(dropped_route.join("index.html.gz"), "old copy").unwrap();
    // The file fallback never serves a page file, so this one is never
    // served; the build must still remove it from what it leaves behind.

    std::fs::remove_file(dirs.posts_dir().join(format!("{deleted}.md"))).unwrap();
    eventually(Duration::from_secs(5), "the server drops the deleted post", || async {
        !server.get("/api/posts").await.text().contains(&format!("\"{deleted}\""))
    })
    .await;
    prerender(&dirs.config()).await;

    for path in [deleted_page.as_str(), "/dropped-route/", "/dropped-route/index.html"] {
        let response = server.get(path).await;
        assert_eq!(response.status, 404, "{path}");
        assert!(response.text().contains("404: nothing here"), "{path}");
    }
    assert!(!dirs.site().join(format!("posts/{deleted}")).exists(), "the post's directory, copy and all, is gone");
    assert!(!dropped_route.exists());
    let kept = post_slugs(&dirs.posts_dir()).remove(0);
    assert_eq!(server.get(&format!("/posts/{kept}")).await.status, 200);
    assert!(dirs.site().join(format!("posts/{kept}/index.html.br")).is_file());
}

#[tokio::test]
async fn a_broken_post_fails_the_build_naming_its_file_and_line() {
    let dirs = TestDirs::new();
    std::fs::write(dirs.posts_dir().join("broken.md"), "---\ntitle: Broken\nslug: broken\nauthor Nobody\n---\n").unwrap();
    let error = server::prerender(dirs.config()).await.err().expect("the build fails").to_string();
    assert!(error.contains("posts/broken.md:4: expected `key: value`"), "{error}");
    assert!(!dirs.site().join("posts/index.html").exists(), "nothing was written");
}

#[tokio::test]
async fn the_static_export_works_from_a_plain_file_server() {
    let dirs = TestDirs::new();
    prerender(&dirs.config()).await;
    let files = PlainFileServer::start(dirs.site()).await;
    let list = files.get("/posts/").await;
    assert_eq!(list.status, 200);
    let mut listed = attribute_values(&list.text(), "data-post-slug");
    let mut slugs = post_slugs(&dirs.posts_dir());
    listed.sort();
    slugs.sort();
    assert_eq!(listed, slugs);
    let slug = &slugs[0];
    assert!(files.get(&format!("/posts/{slug}/")).await.text().contains("class=\"post-body\""));
    let tag_page = files.get("/tags/rust/").await;
    assert_eq!(tag_page.status, 200, "a tag page is a file too");
    assert!(tag_page.text().contains("data-post-slug"));
}
