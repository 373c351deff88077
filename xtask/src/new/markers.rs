//! The markers that tell the minimal flavour what to leave out. The demo's
//! parts are marked where they are, in comments, so the project needs no list
//! of them and no runtime switch:
//!
//! - a line that ends in `// @demo` (or `# @demo`, `/* @demo */`,
//!   `<!-- @demo -->`) is the demo's: the minimal flavour drops it;
//! - a comment line `@demo-begin …` opens a block of such lines, which the
//!   comment line `@demo-end` closes;
//! - a comment line `@demo-file …` anywhere in a file makes the whole file the
//!   demo's;
//! - a comment line `@minimal: CODE` is a line that only the minimal flavour
//!   has: there it becomes `CODE`, indented as the comment was.
//!
//! `minimal` works as a tag too (`@minimal-begin` … `@minimal-end`): what only
//! the minimal flavour has, as in the new project's README. The full flavour is
//! this project as it is, markers and all, so that it can make minimal sites of
//! its own.

use super::Flavour;

/// What `flavour` gets of a file holding `text`: its lines without the other
/// flavour's, and without the markers; `None` if the whole file is not its.
/// A marker it can't read is an error that names its line, so a typo in a
/// marker fails the generator's tests rather than leak demo code.
pub fn for_flavour(text: &str, flavour: Flavour) -> Result<Option<String>, String> {
    let dropped = match flavour {
        Flavour::Minimal => "demo",
        Flavour::Full => "minimal",
    };
    let mut kept = String::with_capacity(text.len());
    let mut open_block: Option<(&str, usize)> = None;
    for (at, line) in text.split_inclusive('\n').enumerate() {
        let number = at + 1;
        let (content, newline) = match line.strip_suffix('\n') {
            Some(content) => (content, "\n"),
            None => (line, ""),
        };
        let marker = match read_marker(content) {
            Ok(marker) => marker,
            Err(why) => return Err(format!("line {number}: {why}")),
        };
        match marker {
            Some(Marker::Begin(tag)) => {
                if let Some((open, opened_at)) = open_block {
                    return Err(format!("line {number}: @{tag}-begin inside the @{open} block opened on line {opened_at}"));
                }
                open_block = Some((tag, number));
            }
            Some(Marker::End(tag)) => match open_block {
                Some((open, _)) if open == tag => open_block = None,
                _ => return Err(format!("line {number}: @{tag}-end with no @{tag}-begin before it")),
            },
            Some(Marker::File(tag)) if tag == dropped => return Ok(None),
            Some(Marker::File(_)) => {}
            _ if open_block.is_some_and(|(tag, _)| tag == dropped) => {}
            Some(Marker::Line(tag, _)) if tag == dropped => {}
            Some(Marker::Line(_, code)) => {
                kept.push_str(code.trim_end());
                kept.push_str(newline);
            }
            Some(Marker::MinimalCode(indent, code)) => {
                if flavour == Flavour::Minimal {
                    kept.push_str(indent);
                    kept.push_str(code);
                    kept.push_str(newline);
                }
            }
            None => kept.push_str(line),
        }
    }
    if let Some((tag, opened_at)) = open_block {
        return Err(format!("the @{tag} block opened on line {opened_at} never ends (@{tag}-end)"));
    }
    Ok(Some(kept))
}

#[derive(Debug, PartialEq)]
enum Marker<'a> {
    /// A line of code, and the tag its end carries.
    Line(&'a str, &'a str),
    Begin(&'a str),
    End(&'a str),
    File(&'a str),
    /// `@minimal: CODE`: the comment's indentation, and CODE.
    MinimalCode(&'a str, &'a str),
}

const TAGS: [&str; 2] = ["demo", "minimal"];

/// The comment forms a marker may take, as (opening, closing).
const COMMENTS: [(&str, &str); 4] = [("//", ""), ("#", ""), ("/*", "*/"), ("<!--", "-->")];

fn read_marker(line: &str) -> Result<Option<Marker<'_>>, String> {
    if !line.contains("@demo") && !line.contains("@minimal") {
        return Ok(None);
    }
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    // A comment line: `// @demo-begin …`, `# @minimal: …`.
    for (open, close) in COMMENTS {
        let Some(inner) = trimmed.strip_prefix(open).and_then(|rest| rest.trim_end().strip_suffix(close)) else {
            continue;
        };
        let inner = inner.trim_start_matches(['/', '!']).trim();
        if let Some(code) = inner.strip_prefix("@minimal: ") {
            return Ok(Some(Marker::MinimalCode(indent, code)));
        }
        for tag in TAGS {
            let Some(rest) = inner.strip_prefix('@').and_then(|rest| rest.strip_prefix(tag)) else { continue };
            let word_ends = |rest: &str| rest.is_empty() || rest.starts_with([' ', ':']);
            if rest.strip_prefix("-begin").is_some_and(word_ends) {
                return Ok(Some(Marker::Begin(tag)));
            }
            if rest.strip_prefix("-end").is_some_and(word_ends) {
                return Ok(Some(Marker::End(tag)));
            }
            if rest.strip_prefix("-file").is_some_and(word_ends) {
                return Ok(Some(Marker::File(tag)));
            }
        }
    }
    // A line of code with its tag at the end: `mod live; // @demo`.
    for (open, close) in COMMENTS {
        for tag in TAGS {
            let suffix = if close.is_empty() { format!(" {open} @{tag}") } else { format!(" {open} @{tag} {close}") };
            if let Some(code) = line.trim_end().strip_suffix(suffix.as_str()) {
                if !code.trim().is_empty() {
                    return Ok(Some(Marker::Line(tag, code)));
                }
            }
        }
    }
    Err(format!(
        "`{}` holds a marker in no form the generator reads: end a line with `// @demo`, or write a comment line \
         `@demo-begin`, `@demo-end`, `@demo-file` or `@minimal: CODE` (see xtask/src/new/markers.rs)",
        line.trim()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(text: &str) -> Option<String> {
        for_flavour(text, Flavour::Minimal).unwrap()
    }

    #[test]
    fn a_line_that_ends_in_the_demo_tag_is_left_out_of_the_minimal_flavour_only() {
        let text = "mod home;\nmod live; // @demo\n    .route(x) # @demo\n.a { } /* @demo */\n<p>x</p> <!-- @demo -->\n";
        assert_eq!(minimal(text).unwrap(), "mod home;\n");
        assert_eq!(for_flavour(text, Flavour::Full).unwrap().unwrap(), "mod home;\nmod live;\n    .route(x)\n.a { }\n<p>x</p>\n");
    }

    #[test]
    fn a_block_goes_from_its_begin_to_its_end_and_a_file_marker_takes_the_whole_file() {
        let text = "a\n    // @demo-begin: the view counter\n    b\n    // @demo-end\nc\n<!-- @minimal-begin -->\nd\n<!-- @minimal-end -->\n";
        assert_eq!(minimal(text).unwrap(), "a\nc\nd\n");
        assert_eq!(for_flavour(text, Flavour::Full).unwrap().unwrap(), "a\n    b\nc\n");
        assert_eq!(minimal("//! The inspector.\n//! @demo-file: the inspector\nfn x() {}\n"), None);
        assert_eq!(for_flavour("//! @demo-file\nfn x() {}", Flavour::Full).unwrap().unwrap(), "fn x() {}");
    }

    #[test]
    fn a_minimal_code_line_becomes_code_in_the_minimal_flavour_only() {
        let text = "    HOLES = LIVE; // @demo\n    // @minimal: HOLES = &[];\n";
        assert_eq!(minimal(text).unwrap(), "    HOLES = &[];\n");
        assert_eq!(for_flavour(text, Flavour::Full).unwrap().unwrap(), "    HOLES = LIVE;\n");
    }

    #[test]
    fn a_marker_it_cannot_read_or_a_block_left_open_is_an_error_that_names_the_line() {
        let error = |text: &str| for_flavour(text, Flavour::Minimal).unwrap_err();
        assert!(error("a\nmod live; //@demo\n").starts_with("line 2: `mod live; //@demo` holds a marker in no form"));
        assert!(error("// @demo-beginning\n").starts_with("line 1:"));
        assert_eq!(error("// @demo-begin\na\n"), "the @demo block opened on line 1 never ends (@demo-end)");
        assert_eq!(error("a\n// @demo-end\n"), "line 2: @demo-end with no @demo-begin before it");
        assert_eq!(
            error("// @demo-begin\n// @minimal-begin\n"),
            "line 2: @minimal-begin inside the @demo block opened on line 1"
        );
        assert!(error("// @demo\n").starts_with("line 1:"), "a marker alone on its line marks no code");
    }
}
