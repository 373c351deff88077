// @demo-file: the strategy map on the home page
use crate::{bench::BenchFigures, strategy::Strategy};
use leptos::prelude::*;
use std::sync::Arc;

/// The home page's strategy map: a decision tree ("who generates the HTML?
/// when?") that ends in the six strategies, and a table of what each one
/// costs, with the figures `make bench` measured on this project. Prerendered
/// by the build, which is when those figures are read.
#[component]
pub fn StrategyMap() -> impl IntoView {
    let bench = use_context::<Arc<BenchFigures>>();
    view! {
        <section class="strategy-guide">
            <h2>"One component tree, six ways to make HTML"</h2>
            <p>
                "Every page of this blog is rendered by the same Leptos components. The strategies differ only in "
                <em>"when"</em> " and " <em>"where"</em> " that render runs. Each page says how it was made: open the "
                <strong>"inspector"</strong> " in its corner, look at the stamp at its foot, at "
                <code>"data-render-strategy"</code> " on " <code>"<html>"</code> ", and at the "
                <code>"x-render-strategy"</code> " and " <code>"Server-Timing"</code> " response headers. Or see them all at once on "
                <a href="/compare" rel="external">"/compare"</a> "."
            </p>
            <h2>"Which strategy? Two questions"</h2>
            <DecisionTree/>
            <h2>"What each one costs"</h2>
            <StrategyTable bench=bench.clone()/>
            <BenchNote bench/>
        </section>
    }
}

/// The seed's decision tree, as nested lists: each question's answers are its
/// children. One component per branch, each erased: the whole tree as one
/// nested type would be too deep for the compiler.
#[component]
fn DecisionTree() -> impl IntoView {
    view! {
        <ol class="decision-tree" aria-label="Choosing a rendering strategy">
            <li>
                <span class="question">"Who generates the HTML?"</span>
                <ol>
                    <li>
                        <span class="answer">"The browser, from JSON the server sends"</span>
                        <Leaf strategy=Strategy::Csr/>
                    </li>
                    <li>
                        <span class="answer">"The server"</span>
                        <span class="question">"When?"</span>
                        <ol>
                            <BuildTimeBranch/>
                            <RequestTimeBranch/>
                        </ol>
                    </li>
                </ol>
            </li>
        </ol>
    }
    .into_any()
}

#[component]
fn BuildTimeBranch() -> impl IntoView {
    view! {
        <li>
            <span class="answer">"Ahead of time, at build"</span>
            <span class="question">"What may change before the next build?"</span>
            <ol>
                <li><span class="answer">"Nothing"</span> <Leaf strategy=Strategy::Ssg/></li>
                <li><span class="answer">"Everything, but a few seconds stale is fine"</span> <Leaf strategy=Strategy::Isr/></li>
                <li><span class="answer">"Only a few parts, which must be live"</span> <Leaf strategy=Strategy::Ppr/></li>
            </ol>
        </li>
    }
    .into_any()
}

#[component]
fn RequestTimeBranch() -> impl IntoView {
    view! {
        <li>
            <span class="answer">"On every request"</span>
            <span class="question">"Is some of the data slow?"</span>
            <ol>
                <li><span class="answer">"No"</span> <Leaf strategy=Strategy::Ssr/></li>
                <li><span class="answer">"Yes: send the rest first"</span> <Leaf strategy=Strategy::Stream/></li>
            </ol>
        </li>
    }
    .into_any()
}

#[component]
fn Leaf(strategy: Strategy) -> impl IntoView {
    view! {
        <a class="leaf" href=strategy.path() rel="external" data-decision=strategy.as_str()>
            <span class="strategy-badge">{strategy.as_str()}</span>
            " " {strategy.name()}
        </a>
    }
    .into_any()
}

#[component]
fn StrategyTable(bench: Option<Arc<BenchFigures>>) -> impl IntoView {
    let rows = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            let cost = match &bench {
                Some(bench) => bench
                    .cost_of(strategy.as_str())
                    .map(|route| {
                        view! {
                            <li>
                                <strong>{requests_per_sec(route.requests_per_sec)}</strong> " req/s, p50 "
                                {format!("{:.2}", route.p50_ms)} " ms "
                                <span class="vs-nginx">{format!("({:.2}× nginx)", route.vs_nginx)}</span>
                                " " <span class="cost-label">{route.label.clone()}</span>
                            </li>
                        }
                    })
                    .collect_view()
                    .into_any(),
                None => view! { <li>"not measured yet"</li> }.into_any(),
            };
            view! {
                <tr data-strategy=strategy.as_str()>
                    <th scope="row"><a href=strategy.path() rel="external">{strategy.name()}</a><br/><code>{strategy.path()}</code></th>
                    <td>{strategy.renders_where()}</td>
                    <td>{strategy.renders_when()}</td>
                    <td><ul class="cost">{cost}</ul></td>
                    <td>{strategy.freshness()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="strategy-map">
            <thead>
                <tr>
                    <th scope="col">"Strategy"</th>
                    <th scope="col">"Who renders"</th>
                    <th scope="col">"When"</th>
                    <th scope="col">"Server cost per request, measured"</th>
                    <th scope="col">"Freshness"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Where the cost column's figures come from, so a reader can weigh them.
#[component]
fn BenchNote(bench: Option<Arc<BenchFigures>>) -> impl IntoView {
    match bench {
        Some(bench) => view! {
            <p class="bench-note" data-bench-measured-at=bench.measured_at.clone()>
                "Measured by " <code>"make bench"</code> " at " {crate::clock::display(&bench.measured_at)} " on "
                {bench.machine.cores} " cores: wrk, " {bench.connections} " connections, "
                {bench.seconds_per_route} " s per route, on loopback. nginx serving the same prerendered "
                <code>"/ssg/index.html"</code> " did " {requests_per_sec(bench.nginx_ssg.requests_per_sec)}
                " req/s. An island page makes the browser fetch "
                {format!("{:.0}", bench.bundle.wasm_plus_js_gzip as f64 / 1024.0)} " KiB of WASM and JS, gzip (the CSR page loads a bundle of its own)."
            </p>
        }
        .into_any(),
        None => view! {
            <p class="bench-note">"No figures yet: run " <code>"make bench"</code> ", then " <code>"make build"</code> "."</p>
        }
        .into_any(),
    }
}

/// `45532.1` as `45,532`.
fn requests_per_sec(value: f64) -> String {
    let digits = format!("{:.0}", value);
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    #[test]
    fn requests_per_sec_groups_thousands() {
        assert_eq!(super::requests_per_sec(45532.09), "45,532");
        assert_eq!(super::requests_per_sec(812.4), "812");
        assert_eq!(super::requests_per_sec(1_234_567.0), "1,234,567");
    }
}
