//! What a blog needs beyond its pages: drafts.

mod common;

use app::content::Drafts;
use common::{prerender, spawn_in, TestDirs};

const DRAFT: &str = "---
title: Not ready yet
slug: not-ready-yet
date: 2026-12-01
author: Test Fixture
tags: [rust]
excerpt: A draft.
draft: true
---
Half a thought.
";

#[tokio::test]
async fn drafts_are_on_no_list_and_no_route_unless_shown() {
    let dirs = TestDirs::new();
    std::fs::write(dirs.posts_dir().join("not-ready-yet.md"), DRAFT).unwrap();
    let hidden = dirs.config();
    prerender(&hidden).await;
    let server = spawn_in(dirs.clone(), hidden.clone()).await;
    assert_eq!(server.get("/posts/not-ready-yet").await.status, 404);
    for list in ["/", "/ssg", "/ssr", "/isr", "/api/posts"] {
        assert!(!server.get(list).await.text().contains("not-ready-yet"), "{list} leaves the draft out");
    }
    assert!(!dirs.site().join("posts/not-ready-yet").exists(), "the build wrote no page for it");

    let shown = server::config::Config { drafts: Drafts::Shown, ..hidden };
    prerender(&shown).await;
    let server = server.stop().await;
    let server = spawn_in(server, shown).await;
    assert_eq!(server.get("/posts/not-ready-yet").await.status, 200);
    for list in ["/ssg", "/ssr", "/api/posts"] {
        assert!(server.get(list).await.text().contains("not-ready-yet"), "{list} lists the draft with SHOW_DRAFTS=1");
    }
}
