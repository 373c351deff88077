//! `cargo xtask gen-posts N DIR`: N synthetic posts in `DIR/posts`, in the real
//! format, for measuring how prerendering and the list routes scale.
// @demo-file: measurement and operations tooling for the demo's routes

use anyhow::{Context, Result};
use std::{fmt::Write, fs, path::Path};

const TAGS: [&str; 12] = [
    "ssg", "ssr", "streaming", "csr", "isr", "ppr", "hydration", "caching", "performance", "wasm", "rust", "build",
];

pub fn write(count: usize, dir: &Path) -> Result<()> {
    let posts = dir.join("posts");
    fs::create_dir_all(&posts).with_context(|| format!("creating {}", posts.display()))?;
    for n in 0..count {
        let slug = format!("synthetic-{n:05}");
        fs::write(posts.join(format!("{slug}.md")), post(n, &slug)).with_context(|| format!("writing {slug}"))?;
    }
    Ok(())
}

fn post(n: usize, slug: &str) -> String {
    // Dates walk back one day per post from the end of 2026: all valid, all distinct per year.
    let day_of_year = 365 - (n % 365);
    let year = 2026 - (n / 365) % 20;
    let (month, day) = month_day(day_of_year);
    let tags = [TAGS[n % TAGS.len()], TAGS[(n * 7 + 3) % TAGS.len()]];
    let tags = if tags[0] == tags[1] { vec![tags[0]] } else { tags.to_vec() };
    let mut body = String::new();
    for section in 1..=3 {
        let _ = write!(
            body,
            "## Section {section}\n\nPost {n} measures how rendering scales. Every page is rendered by the same \
             components, only at a different time. This paragraph is here so that the body has the length of a \
             real post, with *emphasis*, `code`, and a [link](/posts/{slug}).\n\n- one point\n- another point\n\n"
        );
    }
    body.push_str("```rust\nfn main() {\n    println!(\"hello\");\n}\n```\n");
    format!(
        "---\ntitle: Synthetic post number {n}\nslug: {slug}\ndate: {year}-{month:02}-{day:02}\nauthor: Bench Writer\n\
         tags: [{}]\nexcerpt: A generated post for measuring scale, number {n}.\n---\n{body}",
        tags.join(", ")
    )
}

/// Day 1..=365 of a non-leap year as (month, day).
fn month_day(day_of_year: usize) -> (usize, usize) {
    const DAYS: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut left = day_of_year;
    for (month, days) in DAYS.iter().enumerate() {
        if left <= *days {
            return (month + 1, left);
        }
        left -= days;
    }
    (12, 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_of_the_year_map_to_calendar_dates() {
        assert_eq!(month_day(1), (1, 1));
        assert_eq!(month_day(59), (2, 28));
        assert_eq!(month_day(60), (3, 1));
        assert_eq!(month_day(365), (12, 31));
    }
}
