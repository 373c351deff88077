//! Just enough of the WebAssembly binary format to drop the name section from
//! a bundle (`make build` keeps a copy with the names, under `target/bundles`).
// @demo-begin
//! And, from that copy, to tell which crate each byte of code came from: the
//! "where the bytes go" table of `make bench`.
// @demo-end

use anyhow::{bail, Context, Result};
use std::collections::HashMap; // @demo

const HEADER_LEN: usize = 8;
const CUSTOM: u8 = 0;
const IMPORT: u8 = 2; // @demo
const CODE: u8 = 10; // @demo
const DATA: u8 = 11; // @demo

struct Section<'a> {
    id: u8,
    /// The whole section, its id and size included.
    bytes: &'a [u8],
    payload: &'a [u8],
}

fn sections(wasm: &[u8]) -> Result<Vec<Section<'_>>> {
    if wasm.len() < HEADER_LEN || &wasm[..4] != b"\0asm" {
        bail!("not a WebAssembly module");
    }
    let mut sections = Vec::new();
    let mut at = HEADER_LEN;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        let mut reader = Reader { bytes: wasm, at: at + 1 };
        let len = reader.leb()? as usize;
        let payload = wasm.get(reader.at..reader.at + len).context("a section runs past the end")?;
        at = reader.at + len;
        sections.push(Section { id, bytes: &wasm[start..at], payload });
    }
    Ok(sections)
}

fn custom_name<'a>(section: &Section<'a>) -> Option<&'a [u8]> {
    if section.id != CUSTOM {
        return None;
    }
    let mut reader = Reader { bytes: section.payload, at: 0 };
    reader.name().ok()
}

/// `wasm` without its `name` custom section: the names are for debuggers and
/// profilers, and a third of the compressed size.
pub fn without_names(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm[..HEADER_LEN].to_vec();
    for section in sections(wasm)? {
        if custom_name(&section) != Some(b"name") {
            out.extend_from_slice(section.bytes);
        }
    }
    Ok(out)
}

// @demo-begin
/// The bytes of code and data in `wasm` (which has its name section), by the
/// crate they came from, largest first.
pub fn bytes_by_crate(wasm: &[u8]) -> Result<Vec<(String, u64)>> {
    let sections = sections(wasm)?;
    let imported_functions = match sections.iter().find(|s| s.id == IMPORT) {
        Some(imports) => imported_function_count(imports.payload)?,
        None => 0,
    };
    let names = match sections.iter().find(|s| custom_name(s) == Some(b"name")) {
        Some(names) => function_names(names.payload)?,
        None => bail!("the module has no name section: build it with names to see where the bytes go"),
    };
    let mut by_crate: HashMap<String, u64> = HashMap::new();
    if let Some(code) = sections.iter().find(|s| s.id == CODE) {
        let mut reader = Reader { bytes: code.payload, at: 0 };
        for i in 0..reader.leb()? {
            let len = reader.leb()?;
            reader.at += len as usize;
            let index = imported_functions + i;
            let owner = names.get(&index).map_or("(unnamed)".to_string(), |name| crate_of(name));
            *by_crate.entry(owner).or_default() += len;
        }
    }
    if let Some(data) = sections.iter().find(|s| s.id == DATA) {
        *by_crate.entry("(data: strings and tables)".into()).or_default() += data.payload.len() as u64;
    }
    let mut by_crate: Vec<_> = by_crate.into_iter().collect();
    by_crate.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(by_crate)
}

/// The crate a demangled function name belongs to: the first lowercase path
/// segment, so `<T as tachys::view::Render>::build` is tachys's and
/// `core[c5930c85]::fmt::write` is core's. An island's exported hydrate
/// function (`PostList_123…`) is named after its component, with no path.
fn crate_of(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let is_ident = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        if (bytes[start].is_ascii_lowercase() || bytes[start] == b'_') && (start == 0 || !is_ident(bytes[start - 1])) {
            let mut end = start;
            while end < bytes.len() && is_ident(bytes[end]) {
                end += 1;
            }
            let ident = &name[start..end];
            let rest = &name[end..];
            let rest = if rest.starts_with('[') { rest.split_once(']').map_or(rest, |(_, after)| after) } else { rest };
            if rest.starts_with("::") {
                return ident.to_string();
            }
            start = end;
        } else {
            start += 1;
        }
    }
    if name.contains('_') && name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return "app (island entry points)".into();
    }
    format!("(other: {})", name.chars().take(40).collect::<String>())
}

fn imported_function_count(payload: &[u8]) -> Result<u64> {
    let mut reader = Reader { bytes: payload, at: 0 };
    let mut functions = 0;
    for _ in 0..reader.leb()? {
        reader.name()?;
        reader.name()?;
        match reader.byte()? {
            0x00 => {
                reader.leb()?;
                functions += 1;
            }
            0x01 => {
                reader.byte()?;
                reader.limits()?;
            }
            0x02 => reader.limits()?,
            0x03 => {
                reader.byte()?;
                reader.byte()?;
            }
            0x04 => {
                reader.byte()?;
                reader.leb()?;
            }
            kind => bail!("an import of unknown kind {kind}"),
        }
    }
    Ok(functions)
}

/// The function-names subsection (id 1) of a name section.
fn function_names(payload: &[u8]) -> Result<HashMap<u64, String>> {
    let mut reader = Reader { bytes: payload, at: 0 };
    reader.name()?; // "name"
    while reader.at < payload.len() {
        let id = reader.byte()?;
        let len = reader.leb()? as usize;
        if id != 1 {
            reader.at += len;
            continue;
        }
        let mut names = HashMap::new();
        for _ in 0..reader.leb()? {
            let index = reader.leb()?;
            let name = String::from_utf8_lossy(reader.name()?).into_owned();
            names.insert(index, name);
        }
        return Ok(names);
    }
    Ok(HashMap::new())
}
// @demo-end

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let byte = *self.bytes.get(self.at).context("the module ends early")?;
        self.at += 1;
        Ok(byte)
    }

    /// An unsigned LEB128 number.
    fn leb(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        bail!("a number longer than 64 bits")
    }

    fn name(&mut self) -> Result<&'a [u8]> {
        let len = self.leb()? as usize;
        let name = self.bytes.get(self.at..self.at + len).context("a name runs past the end")?;
        self.at += len;
        Ok(name)
    }

    // @demo-begin
    fn limits(&mut self) -> Result<()> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }
    // @demo-end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one imported function, two defined ones and a name section.
    fn module() -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        let section = |wasm: &mut Vec<u8>, id: u8, payload: &[u8]| {
            wasm.push(id);
            wasm.push(payload.len() as u8);
            wasm.extend_from_slice(payload);
        };
        section(&mut wasm, 1, b"\x01\x60\0\0"); // one type: () -> ()
        section(&mut wasm, 2, b"\x01\x01m\x01f\x00\x00"); // the import section
        section(&mut wasm, 3, b"\x02\x00\x00");
        // Bodies: no locals, then `end`; the second has two `nop`s more.
        let bodies = [&b"\x00\x0b"[..], &b"\x00\x01\x01\x0b"[..]];
        let mut code = vec![2u8];
        for body in bodies {
            code.push(body.len() as u8);
            code.extend_from_slice(body);
        }
        section(&mut wasm, 10, &code); // the code section
        let mut function_names = vec![2u8];
        for (index, name) in [(1u8, "tachys::view::build::h1234"), (2, "<T as app::Island>::hydrate")] {
            function_names.extend_from_slice(&[index, name.len() as u8]);
            function_names.extend_from_slice(name.as_bytes());
        }
        let mut names = b"\x04name".to_vec();
        names.push(1);
        names.push(function_names.len() as u8);
        names.extend_from_slice(&function_names);
        section(&mut wasm, CUSTOM, &names);
        wasm
    }

    // @demo-begin
    #[test]
    fn code_bytes_are_counted_by_crate() {
        let by_crate = bytes_by_crate(&module()).unwrap();
        assert_eq!(by_crate, [("app".to_string(), 4), ("tachys".to_string(), 2)]);
    }
    // @demo-end

    #[test]
    fn dropping_names_keeps_every_other_section() {
        let wasm = module();
        let stripped = without_names(&wasm).unwrap();
        assert!(stripped.len() < wasm.len());
        assert_eq!(sections(&stripped).unwrap().len(), sections(&wasm).unwrap().len() - 1);
        assert!(bytes_by_crate(&stripped).is_err(), "the names are gone"); // @demo
    }

    // @demo-begin
    #[test]
    fn crates_are_read_from_demangled_names() {
        assert_eq!(crate_of("core[c5930c85a12de822]::fmt::write"), "core");
        assert_eq!(crate_of("<T as tachys::view::Render>::build::h12"), "tachys");
        assert_eq!(crate_of("<&mut serde_json::de::Deserializer<R> as serde_core::de::Deserializer>::x"), "serde_json");
        assert_eq!(crate_of("PostList_953647714902157411"), "app (island entry points)");
    }
    // @demo-end
}
