# Two commands for a fresh machine: `make serve` and `make test`.
# Each installs what it needs that is missing; neither needs cargo-leptos.

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SERVER := target/release/server

.PHONY: serve dev new bench-dev build test check test-binaries test-unit test-generator test-cargo-generate test-soak test-e2e bench soak cluster cluster-stop cluster-bench screenshots toolchain browser bench-tools cluster-tools test-tools e2e-deps # @demo
# @minimal: .PHONY: serve dev bench-dev build test check test-binaries test-unit test-e2e toolchain browser e2e-deps

## serve: build everything, then serve the blog at http://127.0.0.1:3000 (or $LEPTOS_SITE_ADDR)
serve: build
	$(SERVER)

## dev: the edit loop. Serves at http://127.0.0.1:3000 ($LEPTOS_SITE_ADDR), rebuilds
## what an edit needs (in target/dev/, on the release build's dependencies),
## and reloads the open page through the socket on $LEPTOS_RELOAD_PORT (3001); Ctrl-C stops it all
dev: toolchain
	cargo xtask dev

# @demo-begin
## new: a new site in DIR made from this one (see README: Starting your own site),
## named NAME (default: DIR's last component); FLAVOUR=full for the whole demo;
## TAILWIND=1 for Tailwind CSS
new:
	@[ -n "$(DIR)" ] || { echo "usage: make new DIR=../my-site [NAME=my-site] [FLAVOUR=minimal|full] [TAILWIND=1]"; exit 2; }
	cargo xtask new "$(DIR)" $(if $(NAME),--name "$(NAME)") $(if $(FLAVOUR),--$(FLAVOUR)) $(if $(TAILWIND),--tailwind)
# @demo-end

## build: the server binary, the WASM bundle, and the site root ($LEPTOS_SITE_ROOT, default
## target/site) with every prerendered page, rendered from $CONTENT_DIR (default content)
build: toolchain
	cargo build --release --package server $(OWN_CRATES)
	cargo xtask site
	$(SERVER) prerender

## test: unit and integration tests (and a one-second bench smoke run), then # @demo
## end-to-end tests in Debian's Chromium; beside them, the generated projects' builds # @demo
# @minimal: ## test: unit and integration tests, then end-to-end tests in Debian's Chromium
# What only compiles runs beside the tests, at a lower priority, so that it takes
# only the CPU they leave idle (waiting on servers, browsers, a single rustc): # @demo
# the dev loop's bundle build, which its test would otherwise start with (2 min of # @demo
# CPU on a fresh machine; the test waits on cargo's lock for what is left of it), # @demo
# from the start of the build, in whose gaps it runs too (the bundles' link, their # @demo
# compression); and, after the build, the generated projects' builds # @demo
# (test-generator). A failure, or Ctrl-C, stops them. # @demo
# @minimal: # only the CPU they leave idle (waiting on servers, browsers, a single rustc): the
# @minimal: # dev loop's bundle build, which its test would otherwise start with (2 min of CPU
# @minimal: # on a fresh machine; the test waits on cargo's lock for what is left of it).
# @minimal: # A failure, or Ctrl-C, stops it.
# Each runs in a process group of its own (`set -m`), so that stopping one stops
# all it started; not in a session of its own, as with a session Linux would share
# the CPU out by session first (autogroups), and the lower priority would not hold.
# The installs (Chromium, nginx and wrk, Redis and PostgreSQL, Playwright) run # @demo
# beside the build too, as they wait on the network and the disk more than on the # @demo
# CPU; the tests wait for them. Neither a failure nor Ctrl-C stops them, as an # @demo
# apt-get cut short would leave dpkg half done; a second `make test` waits for # @demo
# them (flock). In the background nothing can be asked: as another user than # @demo
# root, sudo asks for the password first, and apt-get runs with `sudo -n`. # @demo
# @demo-begin
test: toolchain
	@mkdir -p target; $(if $(SUDO),$(SUDO) -v || exit;) \
	echo "beside the build: installing what the tests need (target/test-tools.log), the dev loop's bundle build (target/dev-prebuild.log)"
	@generator=; set -m; flock target/test-tools.lock $(MAKE) --no-print-directory -j1 test-tools $(if $(SUDO),SUDO="$(SUDO) -n") \
		</dev/null >target/test-tools.log 2>&1 & tools=$$!; \
	nice -n 10 cargo xtask dev-prebuild >target/dev-prebuild.log 2>&1 & prebuild=$$!; set +m; \
	trap 'kill -- -$$prebuild $${generator:+-$$generator} 2>/dev/null; wait $$prebuild $$generator' EXIT; trap 'exit 130' INT TERM; \
	$(MAKE) --no-print-directory OWN_CRATES="$(OWN_CRATES)" build test-binaries || exit; \
	wait $$tools || { cat target/test-tools.log; echo "installing what the tests need failed (above)"; exit 1; }; \
	echo "beside the tests: the generated projects' builds (target/test-generator.log)"; \
	set -m; $(MAKE) --no-print-directory test-generator >target/test-generator.log 2>&1 & generator=$$!; set +m; \
	$(MAKE) --no-print-directory OWN_CRATES="$(OWN_CRATES)" test-unit test-soak test-e2e || exit; \
	wait $$generator; generated=$$?; \
	echo "== the generated projects' builds, which ran beside the tests above:"; cat target/test-generator.log; \
	exit $$generated

# What the tests need besides the build, from Debian and npm.
test-tools: browser bench-tools cluster-tools e2e-deps
# @demo-end
# @minimal: test: build browser e2e-deps test-binaries
# @minimal: 	@echo "beside the tests: the dev loop's bundle build (target/dev-prebuild.log)"
# @minimal: 	@set -m; nice -n 10 cargo xtask dev-prebuild >target/dev-prebuild.log 2>&1 & prebuild=$$!; set +m; \
# @minimal: 	trap 'kill -- -$$prebuild 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
# @minimal: 	$(MAKE) --no-print-directory OWN_CRATES="$(OWN_CRATES)" test-unit test-e2e
# The tests build this project's own crates unoptimised, on the release build's
# dependencies: LLVM's optimisation of app and server is 1.5 min of a build on
# two cores, against 20 s without it. What the code does is the same: overflow
# checks and debug assertions are set apart from opt-level, and stay as in
# release. So `make test` builds the server that way too (make passes a target's
# variables on to what it needs), and tests the binary its tests were built
# with; `make build` and `make serve` build it optimised.
OWN_CRATES_UNOPTIMISED := --config 'profile.release.package.app.opt-level=0' --config 'profile.release.package.server.opt-level=0'
test: OWN_CRATES := $(OWN_CRATES_UNOPTIMISED)

# Two runs, so that each resolves the same features as the build it follows
# (`make build` for the server, `cargo xtask` for xtask): a joint run would
# unify them and rebuild dependencies that are already built. Compiled before
# any test starts, so that nothing writes into target/release while the
# generated projects' builds copy from it.
test-binaries:
	cargo test --release --package app --package server $(OWN_CRATES_UNOPTIMISED) --no-run
	cargo test --release --package xtask --no-run

# The #[ignore]d tests need what a plain `cargo test` must not touch (a tmpfs # @demo
# mount, Redis, PostgreSQL and nginx, a built site): here they run. The # @demo
# @minimal: # The #[ignore]d tests need what a plain `cargo test` must not touch (a tmpfs
# @minimal: # mount, a built site): here they run. The
# full-disk test mounts a tmpfs, which takes root: as another user it is left
# out, and says so.
NOT_AS_ROOT := $(if $(SUDO),--skip a_full_disk_fails_the_prerender_and_leaves_the_old_pages_whole)
# Run alone, after `make build`, the test build replaces its target/release/server
# with an unoptimised one: the `cargo build` line puts the optimised one back (a
# link of what is built, 0.2 s); within `make test`, it is the same build, and does
# nothing.
test-unit:
	@[ -z "$(SUDO)" ] || echo "skipped: the full-disk test (it mounts a tmpfs, which takes root)"
	cargo test --release --package app --package server $(OWN_CRATES_UNOPTIMISED) -- --include-ignored $(NOT_AS_ROOT)
	cargo build --release --package server $(OWN_CRATES)
	cargo test --release --package xtask -- --include-ignored --skip $(GENERATOR_TESTS) # @demo
# @minimal: 	cargo test --release --package xtask -- --include-ignored

# @demo-begin
## test-generator: `cargo xtask new`'s projects, built and served (about 1.5 min);
## `make test` runs it beside the other tests
GENERATOR_TESTS := new::tests::builds::
test-generator:
	@[ -n "$(CARGO_GENERATE)" ] || echo "skipped: cargo-generate's path, as cargo-generate is not installed (make test-cargo-generate installs it, 3 min, and runs it)"
	cargo test --release --package xtask -- --ignored $(GENERATOR_TESTS) $(if $(CARGO_GENERATE),,--skip $(CARGO_GENERATE_TEST))
# @demo-end

# @demo-begin
## test-cargo-generate: `cargo generate` on this repository makes what `cargo xtask new`
## makes; installs cargo-generate 0.23.5 first, the newest that builds on Rust 1.95 (3 min)
CARGO_GENERATE = $(shell command -v cargo-generate)
CARGO_GENERATE_TEST := new::tests::builds::cargo_generate_makes_the_same_project_as_cargo_xtask_new
test-cargo-generate: toolchain
	@[ -n "$(CARGO_GENERATE)" ] || cargo install cargo-generate --version 0.23.5 --locked
	cargo test --release --package xtask -- --ignored --exact $(CARGO_GENERATE_TEST)
# @demo-end

## check: unit and integration tests, without Chromium, the soak or the cluster, # @demo
## which it lists as ignored; what to run while you work (`make test` runs all) # @demo
# @minimal: ## check: unit and integration tests, without Chromium or the tests it lists as ignored;
# @minimal: ## what to run while you work (`make test` runs all)
check:
	cargo test --release --package app --package server $(OWN_CRATES_UNOPTIMISED)
	cargo test --release --package xtask

# @demo-begin
## bench: every route under load next to nginx, memory, bundle size, prerender scale.
## BENCH_SECONDS (default 10) per route; writes target/bench/latest.json
bench: build bench-tools
	cargo xtask bench

## soak: every route under load for SOAK_SECONDS (default 60) while the site is rebuilt
## and ISR regenerates; fails on any bad status, torn body, stalled request or memory
## growth over 10 %
soak: build
	cargo xtask soak

# The same soak, 10 s long, as part of `make test`.
test-soak:
	SOAK_SECONDS=10 cargo xtask soak

## cluster: CLUSTER_INSTANCES (default 3) servers behind nginx on CLUSTER_ADDR
## (default 127.0.0.1:3000), sharing the ISR cache in Redis and the view counts in
## PostgreSQL (all three installed from Debian if missing); left running until
## `make cluster-stop`
cluster: build cluster-tools
	cargo xtask cluster

cluster-stop:
	cargo xtask cluster-stop

## cluster-bench: /ssr and /isr through nginx, 1 instance and then 3 (BENCH_SECONDS each)
cluster-bench: build bench-tools cluster-tools
	cargo xtask cluster-bench
# @demo-end

# The dev-loop test (end2end/dev/) drives the xtask binary on a scratch copy of
# the project. It runs apart, with a longer limit: on a fresh machine its first
# round builds the bundles' debug dependencies (the server's are make build's).
test-e2e:
	cargo build --release --package xtask
	cd end2end && npm test && npm run test:dev

## bench-dev: make dev's loop on a scratch copy, timed from each save to the open page
## in Chromium showing it (a stylesheet, a post, a component); writes target/bench/dev-loop.json.
## After make build, as the figures are meant (and so the copy never builds into target/release)
bench-dev: build browser e2e-deps
	cargo build --release --package xtask
	cd end2end && npm run test:dev

# @demo-begin
## screenshots: the inspector on /ssr and /csr, and /compare, into docs/screenshots
## (`make test` takes the same screenshots into target/screenshots)
screenshots: build browser e2e-deps
	cd end2end && SCREENSHOT_DIR=docs/screenshots node --test --test-timeout=120000 tests/inspector.test.js
# @demo-end

toolchain:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
		|| rustup target add wasm32-unknown-unknown

# apt-get sometimes fails once on vanished temp files, so it is tried twice.
apt_install = { $(SUDO) apt-get update && { $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(1) \
	|| $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(1); }; }

# Debian's Chromium: Playwright's own browser download cannot work here.
browser:
	@command -v chromium >/dev/null || $(call apt_install,chromium)

# @demo-begin
# wrk (the load generator) and nginx (the baseline), from Debian.
bench-tools:
	@{ command -v wrk && { command -v nginx || [ -x /usr/sbin/nginx ]; }; } >/dev/null || $(call apt_install,wrk nginx)

# Redis, PostgreSQL and nginx, which the cluster runs, from Debian.
cluster-tools:
	@{ command -v redis-server && ls /usr/lib/postgresql/*/bin/postgres && { command -v nginx || [ -x /usr/sbin/nginx ]; }; } >/dev/null 2>&1 \
		|| $(call apt_install,redis-server postgresql nginx)
# @demo-end

e2e-deps:
	@[ -d end2end/node_modules/playwright-core ] || (cd end2end && npm ci --no-audit --no-fund)
