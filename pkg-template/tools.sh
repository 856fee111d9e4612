# Sourced by pkg-template/build and tests/run: install what the build and the tests need,
# skipping whatever is already present. Each function prints one line saying what it did.

# The exact wasm-bindgen version pinned in Cargo.toml (`wasm-bindgen = "=x.y.z"`).
pinned_wasm_bindgen_version() {
  local v
  v=$(sed -nE 's/^wasm-bindgen[[:space:]]*=[[:space:]]*(\{[^}]*version[[:space:]]*=[[:space:]]*)?"=([0-9]+\.[0-9]+\.[0-9]+)".*/\2/p' "$1/Cargo.toml" | head -n1)
  if [ -z "$v" ]; then
    echo "error: Cargo.toml must pin wasm-bindgen exactly (wasm-bindgen = \"=x.y.z\")" >&2
    return 1
  fi
  echo "$v"
}

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "ok: rust target wasm32-unknown-unknown"
  else
    rustup target add wasm32-unknown-unknown
  fi
}

# wasm-bindgen-cli at exactly the crate's version (a mismatch fails with "schema versions
# must exactly match"); it also provides wasm-bindgen-test-runner.
ensure_wasm_bindgen() {
  local want=$1 waited=0
  # Why wait: a background `cargo install` of the CLI may already be running on this machine;
  # a second one would compile it all again on a busy 2-core box.
  while pgrep -f "cargo install.*wasm-bindgen-cli" >/dev/null 2>&1 && [ $waited -lt 900 ]; do
    [ $waited -eq 0 ] && echo "waiting for a wasm-bindgen-cli install already running…"
    sleep 10; waited=$((waited + 10))
  done
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ]; then
    echo "ok: wasm-bindgen $want"
    return 0
  fi
  echo "installing wasm-bindgen-cli $want (about 4 minutes on 2 cores)…"
  # Why the fallback: the CLI's own lockfile pins crates (e.g. webpki-roots 1.0.11) that a
  # registry mirror may lack; an unlocked install then still gives the exact CLI version.
  cargo install --locked wasm-bindgen-cli --version "$want" ||
    cargo install wasm-bindgen-cli --version "$want"
  [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ] || {
    echo "error: wasm-bindgen --version is '$(wasm-bindgen --version 2>&1)', want $want" >&2
    return 1
  }
}

# `npm ci` in a directory with a lockfile when node_modules is missing or older than the lockfile.
ensure_npm_deps() {
  local dir=$1
  [ -f "$dir/package-lock.json" ] || return 0
  if [ -f "$dir/node_modules/.package-lock.json" ] && ! [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "ok: npm packages in ${dir#"$ROOT"/}"
  else
    echo "npm ci in ${dir#"$ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Debian's Chromium and its chromedriver, for the browser tests.
ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "ok: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"
  else
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  fi
}

# A cargo subcommand installed with `cargo install --locked CRATE` unless `cargo NAME --version`
# already works (cargo-fuzz for the fuzz stage, cargo-deny for the supply-chain stage).
ensure_cargo_tool() {
  local name=$1 crate=$2
  if cargo "$name" --version >/dev/null 2>&1; then
    echo "ok: $(cargo "$name" --version 2>/dev/null | head -n1)"
  else
    echo "installing $crate (a few minutes on 2 cores)…"
    cargo install --locked "$crate"
  fi
}

ensure_cargo_fuzz() { ensure_cargo_tool fuzz cargo-fuzz; }
ensure_cargo_deny() { ensure_cargo_tool deny cargo-deny; }
