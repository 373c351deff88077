//! The new project's name: a valid crate name, since it names the bundle files
//! (`pkg/<name>.js`) and cargo-leptos's metadata, and the site's title made of it.

use anyhow::{bail, Result};
use std::path::Path;

/// Names Cargo refuses or reserves for itself and the standard library, and
/// Rust's keywords, strict and reserved.
const RESERVED: &[&str] = &[
    "abstract", "alloc", "as", "async", "await", "become", "box", "break", "const", "continue", "core", "crate", "do",
    "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "proc-macro", "proc_macro", "pub", "ref", "return", "self",
    "static", "std", "struct", "super", "test", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// The longest name crates.io takes.
const MAX_LEN: usize = 64;

/// Why `name` cannot be a crate name, if it can't.
pub fn check(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if name.len() > MAX_LEN {
        return Err(format!("it is longer than {MAX_LEN} characters"));
    }
    if let Some(c) = name.chars().find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-' | '_')) {
        return Err(format!("`{c}` is not a lowercase ASCII letter, a digit, `-` or `_`"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a letter".into());
    }
    if RESERVED.contains(&name) {
        return Err(format!("`{name}` is a Rust keyword or a name Cargo reserves"));
    }
    Ok(())
}

/// The name DIR's last component makes: lowercased, every run of other
/// characters one `-`.
pub fn from_dir(dir: &Path) -> Result<String> {
    let last = dir.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let mut name = String::new();
    for c in last.chars() {
        match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '_') => name.push(c),
            _ if !name.is_empty() && !name.ends_with('-') => name.push('-'),
            _ => {}
        }
    }
    let name = name.trim_end_matches('-').to_string();
    if let Err(rule) = check(&name) {
        bail!("`{last}` makes no crate name (`{name}`: {rule}): give one with --name");
    }
    Ok(name)
}

/// The site's title: the name with spaces for dashes and a capital first letter
/// (`my-site` is "My site").
pub fn title(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}
