use crate::strategy::Strategy;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// `/`: the strategy map. One row per strategy: who makes the HTML, when, and how fresh it is.
#[component]
pub fn HomePage() -> impl IntoView {
    let rows = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            let name = view! { <a href=strategy.path() rel="external">{strategy.name()}</a> };
            view! {
                <tr data-strategy=strategy.as_str()>
                    <th scope="row"><code>{strategy.path()}</code></th>
                    <td>{name}</td>
                    <td>{strategy.renders_where()}</td>
                    <td>{strategy.renders_when()}</td>
                    <td>{strategy.freshness()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text="Rendering strategies, one component tree"/>
        <Meta name="description" content="One Leptos component tree served as SSG, SSR, streaming, CSR, ISR and PPR, each page showing how it was made."/>
        <section class="home">
            <h1>"One component tree, six ways to make HTML"</h1>
            <p>
                "Every page of this blog is rendered by the same Leptos components. The strategies differ only in "
                <em>"when"</em> " and " <em>"where"</em> " that render runs. Each page says how it was made: look at the "
                "stamp at its foot, at " <code>"data-render-strategy"</code> " on " <code>"<html>"</code>
                ", and at the " <code>"x-render-strategy"</code> " response header."
            </p>
            <table class="strategy-map">
                <thead>
                    <tr><th scope="col">"Route"</th><th scope="col">"Strategy"</th><th scope="col">"Who renders"</th><th scope="col">"When"</th><th scope="col">"Freshness"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p>"Try it: open " <a href="/ssr" rel="external">"/ssr"</a> " and " <a href="/csr" rel="external">"/csr"</a>
               " side by side, then compare View Source with Inspect. The first has every post in its HTML; the second has none until the browser builds it."</p>
        </section>
    }
}
