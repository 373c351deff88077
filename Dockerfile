# The blog as one container: the server binary, the built site root (static
# export, bundle, prerendered pages) and the posts. The build needs only the
# crates registry and rustup's wasm32 target: no cargo-leptos, no binary
# downloads. Build: docker build -t blog .   Run: docker run -p 3000:3000 blog

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
RUN rustup target add wasm32-unknown-unknown
COPY . .
# The same three steps as `make build`: server, bundle, prerender.
RUN cargo build --release --locked --package server \
 && cargo xtask site \
 && target/release/server prerender

FROM debian:bookworm-slim
# The server runs unprivileged; it writes only ISR pages (site root) and live data.
RUN useradd --system --create-home --home-dir /blog blog
WORKDIR /blog
COPY --from=build /src/target/release/server /blog/server
COPY --from=build --chown=blog /src/target/site /blog/site
COPY --from=build /src/content /blog/content
# @demo-begin
RUN install -d -o blog /blog/data
# @demo-end
USER blog
ENV LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_SITE_ROOT=/blog/site \
    CONTENT_DIR=/blog/content
EXPOSE 3000
# @demo-begin
ENV DATABASE_URL=sqlite:///blog/data/blog.db
# Keep the view counts across container restarts with: -v blog-data:/blog/data
VOLUME /blog/data
# @demo-end
CMD ["/blog/server"]
