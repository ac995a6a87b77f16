#!/usr/bin/env bash
# LossKit's one entry point for setting up, building, testing and running things on Debian 12 (or any machine
# that already has the .NET 10 SDK, CMake, a C++17 compiler and libtorch).
#
#   ./build.sh setup     install what a fresh Debian 12 machine lacks (apt-get, as root; otherwise prints the command)
#   ./build.sh sample    setup, then run the main sample (regression on the diabetes data)
#   ./build.sh test      setup, then build and run every test, and the package consumer check (tests/PackageConsumer);
#                        ends with "N passed, N failed, N skipped"
#   ./build.sh build     setup, then build the solution (Release)
#   ./build.sh bench     setup (plus python3-torch), then run the side-by-side benchmark against PyTorch
#   ./build.sh pack      setup, then pack the NuGet packages into artifacts/packages
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

CONFIG="${CONFIG:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the build needs: libtorch (headers, CMake config, libraries), SLEEF (ATen's vectorised math
# headers), CMake and a C++ compiler. python3-torch is only for the benchmark's PyTorch side and the golden-file
# generator, never for building or testing.
BUILD_PACKAGES=(libtorch-dev libsleef-dev cmake g++ make)
BENCH_PACKAGES=(python3-torch)

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_packages() {
  local missing
  missing=$(missing_packages "$@" | tr '\n' ' ')
  [ -z "${missing// }" ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing packages ($missing) and no apt-get on this machine. Install libtorch, CMake and a C++17 compiler," >&2
    echo "       then build with LOSSKIT_TORCH_DIR=/path/to/libtorch if it is not in a standard location." >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: these Debian packages are missing: $missing" >&2
    echo "       install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
    exit 1
  fi
  echo "== installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
}

check_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK 10.0 is not installed (dotnet is not on PATH)." >&2
    echo "       see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
    exit 1
  fi
}

setup() {
  install_packages "${BUILD_PACKAGES[@]}"
  check_dotnet
}

pack() {
  rm -rf artifacts/packages
  dotnet pack LossKit.sln -c Release -o artifacts/packages -nologo -v:q
}

# The packages as an outside project sees them: pack, restore tests/PackageConsumer into a fresh package folder (so no
# cached copy of an earlier pack is used), train a tiny model, expect exit code 0.
consumer_check() {
  local packages
  packages=$(mktemp -d)
  pack &&
    dotnet restore tests/PackageConsumer --packages "$packages" -nologo -v:q &&
    dotnet run --project tests/PackageConsumer -c Release --no-restore
  local status=$?
  rm -rf "$packages"
  return $status
}

run_tests() {
  local log status=0 passed=0 failed=0 skipped=0 line
  log=$(mktemp)
  dotnet build LossKit.sln -c "$CONFIG" -nologo -v:q
  # Each test assembly prints one summary line: "Passed!  - Failed: 0, Passed: 12, Skipped: 1, Total: 13, ..."
  dotnet test LossKit.sln -c "$CONFIG" --no-build -nologo 2>&1 | tee "$log" || status=$?
  while IFS= read -r line; do
    [[ $line =~ Failed:[[:space:]]*([0-9]+) ]] && failed=$((failed + BASH_REMATCH[1]))
    [[ $line =~ Passed:[[:space:]]*([0-9]+) ]] && passed=$((passed + BASH_REMATCH[1]))
    [[ $line =~ Skipped:[[:space:]]*([0-9]+) ]] && skipped=$((skipped + BASH_REMATCH[1]))
  done < <(grep -E '(Passed|Failed)!? *- *Failed:' "$log")
  rm -f "$log"
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # the run itself broke (build, crash)
  # The package consumer check counts as one more test.
  echo "== package consumer check"
  if consumer_check; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
  echo "$passed passed, $failed failed, $skipped skipped"
  return "$status"
}

cmd="${1:-test}"
shift || true
case "$cmd" in
  setup) setup ;;
  build) setup; dotnet build LossKit.sln -c "$CONFIG" -nologo ;;
  test) setup; run_tests ;;
  sample) setup; dotnet run --project samples/Regression -c "$CONFIG" -- "$@" ;;
  bench) install_packages "${BUILD_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"; check_dotnet
         dotnet run --project bench/LossKit.Bench -c Release -- "$@" ;;
  pack) setup; pack; ls -l artifacts/packages ;;
  *) echo "usage: $0 {setup|sample|test|build|bench|pack}" >&2; exit 2 ;;
esac
