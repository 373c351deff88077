//! Helpers for the islands' code that runs in the browser.
// @demo-file: measurements for the inspector and /compare

/// `value` with `digits` decimals, as `Number.prototype.toFixed` writes it.
/// The browser's formatting, not Rust's: `format!("{:.1}")` on a float links
/// about 12 KiB of float-printing code into the bundle.
pub fn fixed(value: f64, digits: u8) -> String {
    js_sys::Number::from(value).to_fixed(digits).map(String::from).unwrap_or_default()
}
