//! The report as the Markdown tables that `make bench` prints.
// @demo-file: measurement and operations tooling for the demo's routes

use super::{first_load, report::BenchFigures, Instance};
use std::fmt::Write;

pub(super) fn markdown(report: &BenchFigures) -> String {
    let mut out = String::new();
    let (machine, nginx) = (&report.machine, &report.nginx_ssg);
    let _ = write!(
        out,
        "## make bench\n\n{} cores, load average at start {}; wrk, 1 thread, {} connections, {} s per route.\n\n",
        machine.cores, machine.load_average_at_start, report.connections, report.seconds_per_route
    );
    out.push_str("| route | path | req/s | vs nginx | p50 ms | p99 ms | p99/p50 | TTFB ms | full ms | errors | non-2xx | CPU stolen % |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let optional = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        "| nginx, the same file | `{}` | {:.0} | 1.000 | {} | {} | | | | {} | {} | {} |",
        nginx.path,
        nginx.requests_per_sec,
        nginx.p50_ms,
        nginx.p99_ms,
        nginx.errors,
        nginx.non_2xx,
        optional(nginx.cpu_steal_percent)
    );
    for route in &report.routes {
        let _ = writeln!(
            out,
            "| {} | `{}` | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            route.label,
            route.path,
            route.requests_per_sec,
            route.vs_nginx,
            route.p50_ms,
            route.p99_ms,
            route.p99_over_p50,
            optional(route.ttfb_ms),
            optional(route.full_response_ms),
            route.errors,
            route.non_2xx,
            optional(route.cpu_steal_percent),
        );
    }
    let memory = &report.memory;
    let others: Vec<String> = memory
        .peak_rss_kib_by_instance
        .iter()
        .filter(|(name, _)| name.as_str() != Instance::Default.name())
        .map(|(name, peak)| format!("{name} {peak} KiB"))
        .collect();
    let _ = writeln!(
        out,
        "\nServer memory: {} KiB idle, {} KiB peak under the mixed load (one process serving every route \
         of the default instance, one after another); peaks of the other instances: {}.",
        memory.idle_rss_kib,
        memory.peak_rss_kib,
        others.join(", ")
    );
    let bundle = &report.bundle;
    out.push_str(&first_load::markdown(&bundle.first_load, &bundle.files, &bundle.islands_bundle_parts));
    out.push_str("\n| prerender | pages | seconds | pages/s | peak RSS KiB |\n|---:|---:|---:|---:|---:|\n");
    for run in &report.scale {
        let _ = writeln!(out, "| {} posts | {} | {} | {} | {} |", run.posts, run.pages, run.seconds, run.pages_per_sec, run.peak_rss_kib);
    }
    if !report.scale_latency.is_empty() {
        out.push_str("\n| with many posts | posts | req/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|\n");
        for row in &report.scale_latency {
            let _ = writeln!(
                out,
                "| `{}` | {} | {:.0} | {} | {} | {} |",
                row.path, row.posts, row.requests_per_sec, row.p50_ms, row.p99_ms, row.errors
            );
        }
    }
    out
}
