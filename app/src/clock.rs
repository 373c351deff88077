//! Timestamps as RFC 3339 UTC strings, the form `data-generated-at` carries.
//! The server reads the system clock; the browser reads `Date`, so the bundle
//! carries no date library.

/// Now, as `2026-11-22T05:10:00.123Z`.
pub fn now_rfc3339() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::Date::new_0().to_iso_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        rfc3339(time::OffsetDateTime::now_utc())
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    // By hand: `time`'s formatter walks a format description for each stamp,
    // and a streamed page takes three of them per request.
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

// @demo-begin
/// `2026-11-22T05:10:00.123Z` as people read it: `2026-11-22 05:10:00.123 UTC`.
pub fn display(rfc3339: &str) -> String {
    match rfc3339.strip_suffix('Z') {
        Some(rest) => format!("{} UTC", rest.replacen('T', " ", 1)),
        None => rfc3339.to_string(),
    }
}

/// Just the time of day, `05:10:00.123`, where space is short and the day is today.
pub fn time_of_day(rfc3339: &str) -> &str {
    rfc3339.split_once('T').map_or(rfc3339, |(_, time)| time.trim_end_matches('Z'))
}
// @demo-end

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_with_milliseconds() {
        let at = time::macros::datetime!(2026-11-22 05:10:00.123456 UTC);
        assert_eq!(rfc3339(at), "2026-11-22T05:10:00.123Z");
        assert_eq!(display("2026-11-22T05:10:00.123Z"), "2026-11-22 05:10:00.123 UTC"); // @demo
        assert_eq!(time_of_day("2026-11-22T05:10:00.123Z"), "05:10:00.123"); // @demo
    }

    #[test]
    fn now_parses_back_as_rfc3339() {
        let now = now_rfc3339();
        time::OffsetDateTime::parse(&now, &time::format_description::well_known::Rfc3339)
            .expect("now_rfc3339 is valid RFC 3339");
    }
}
