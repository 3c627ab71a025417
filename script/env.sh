# Sourced by the other scripts: provides `in_env CMD…`, which runs CMD with
# Python 3.14 and the project's virtual environment (requirements_test.txt),
# `in_compat_env CMD…`, the same with the newest aioamazondevices our
# manifest admits (requirements_compat.txt), and `in_newest_env CMD…`, the
# newest Home Assistant without the unit tests' plugin (requirements_newest.txt).
#
# Home Assistant 2026.x needs Python >= 3.14. Where `python3.14` is on PATH we
# use it. Otherwise we build a minimal Debian sid root that ships it (this
# needs root, debootstrap and the machine's own Debian mirror) and run inside
# it through chroot, in a private mount namespace so nothing stays mounted.
# Both the root and the venv are cached, so only the first run pays for them.

set -euo pipefail

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${ALEXA_CARE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/alexa-care}
# New requirement files get new venvs; an interrupted install is redone.
# The newest flavour shares no file with the others, so it has its own hash:
# changing it leaves the other venvs alone, and the reverse.
requirements_hash() { (cd "$PROJECT_DIR" && cat "$@") | sha256sum | cut -c1-16; }
VENV_HASH=$(requirements_hash requirements_test.txt requirements_compat.txt)
NEWEST_HASH=$(requirements_hash requirements_newest.txt)

log() { printf '==> %s\n' "$*" >&2; }

if command -v python3.14 >/dev/null 2>&1; then
    ENV_MODE=host
    VENV_DIR=$CACHE_DIR
else
    ENV_MODE=debian-root
    DEBIAN_ROOT=$CACHE_DIR/debian-sid-root
    VENV_DIR=/opt # a path inside the Debian root
fi

# The first Debian mirror this machine's apt is configured with.
debian_mirror() {
    local mirror=""
    if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
        mirror=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/*.sources)
    fi
    if [[ -z $mirror && -f /etc/apt/sources.list ]]; then
        mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    [[ -n $mirror ]] || { log "no Debian mirror found in the apt sources"; return 1; }
    printf '%s\n' "$mirror"
}

build_debian_root() {
    [[ -x $DEBIAN_ROOT/usr/bin/python3.14 ]] && return 0
    [[ $(id -u) == 0 ]] || { log "python3.14 is missing and building it needs root"; return 1; }
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "installing debootstrap"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    local mirror
    mirror=$(debian_mirror)
    log "python3.14 not found: building a Debian sid root with it in $DEBIAN_ROOT"
    rm -rf "$DEBIAN_ROOT.partial"
    mkdir -p "$CACHE_DIR"
    debootstrap --variant=minbase --include=python3.14,python3.14-venv,ca-certificates \
        sid "$DEBIAN_ROOT.partial" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
        { tail -20 "$CACHE_DIR/debootstrap.log" >&2; return 1; }
    mv "$DEBIAN_ROOT.partial" "$DEBIAN_ROOT"
}

# Run a command inside the Debian root with the project mounted at the same path.
in_debian_root() {
    # Name resolution and the trust store (which may hold a local proxy's CA) come from the host.
    cp /etc/resolv.conf "$DEBIAN_ROOT/etc/resolv.conf"
    cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$DEBIAN_ROOT/etc/ssl/certs/ca-certificates.crt"
    mkdir -p "$DEBIAN_ROOT$PROJECT_DIR"
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private -- bash -c '
        set -e
        root=$1; project=$2; shift 2
        mount --rbind /dev "$root/dev"
        mount -t proc proc "$root/proc"
        mount --rbind /sys "$root/sys"
        mount --bind "$project" "$root$project"
        cd "$project"
        exec chroot "$root" /usr/bin/env --chdir="$project" \
            -u PIP_FIND_LINKS HOME=/root PATH=/usr/local/bin:/usr/bin:/bin "$@"
    ' bash "$DEBIAN_ROOT" "$PROJECT_DIR" "$@"
}

# Run a command with Python 3.14 as `python3.14`, outside any venv.
in_python() {
    if [[ $ENV_MODE == host ]]; then "$@"; else in_debian_root "$@"; fi
}

# ensure_env main|compat|newest: build the venv unless it is there; prints its
# path. One build at a time: two runs that start together (a developer's and
# CI's) must not install into, or delete, the same venv.
ensure_env() {
    local flavour=$1 hash=$VENV_HASH host_dir=$VENV_DIR
    [[ $flavour == newest ]] && hash=$NEWEST_HASH
    local name=venv-$hash-$flavour
    local venv=$VENV_DIR/$name
    mkdir -p "$CACHE_DIR"
    {
        flock 9
        [[ $ENV_MODE == debian-root ]] && build_debian_root && host_dir=$DEBIAN_ROOT$VENV_DIR
        if [[ ! -f $host_dir/$name/.complete ]]; then
            log "creating the $flavour virtual environment ($ENV_MODE)"
            mkdir -p "$host_dir"
            # This flavour's venvs of earlier requirement files are of no more use.
            find "$host_dir" -maxdepth 1 -name "venv-*-$flavour" ! -name "$name" \
                -exec rm -rf {} +
            rm -rf "${host_dir:?}/$name"
            in_python python3.14 -m venv "$venv" >&2
            local pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
            if [[ $flavour == newest ]]; then
                in_python "${pip[@]}" -r "$PROJECT_DIR/requirements_newest.txt" >&2
            else
                in_python "${pip[@]}" -r "$PROJECT_DIR/requirements_test.txt" >&2
            fi
            if [[ $flavour == compat ]]; then
                # Without its dependencies: the newer library asks for a newer
                # aiohttp than the Home Assistant we test with pins.
                in_python "${pip[@]}" --no-deps -r "$PROJECT_DIR/requirements_compat.txt" >&2
            fi
            touch "$host_dir/$name/.complete"
        fi
    } 9>"$CACHE_DIR/.provision.lock"
    printf '%s\n' "$venv"
}

# Run a command with the venv's bin first on PATH.
in_venv() {
    local venv
    venv=$(ensure_env "$1")
    shift
    if [[ $ENV_MODE == host ]]; then
        PATH="$venv/bin:$PATH" VIRTUAL_ENV=$venv "$@"
    else
        in_debian_root PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" VIRTUAL_ENV="$venv" "$@"
    fi
}

# ensure_debian_tool COMMAND PACKAGE…: install Debian's PACKAGEs unless
# COMMAND is there; inside the Debian root, or on the host when python3.14 is.
ensure_debian_tool() {
    local command=$1
    shift
    local apt_options=(-o Acquire::Check-Valid-Until=false -qq)
    if [[ $ENV_MODE == debian-root ]]; then
        [[ -x $DEBIAN_ROOT/usr/bin/$command ]] && return 0
        log "installing Debian's $* into the Debian root"
        # A mirror that is a snapshot serves a Release file past its date.
        in_debian_root bash -c 'log=$1 options=("${@:2:3}") &&
            apt-get "${options[@]}" update &&
            DEBIAN_FRONTEND=noninteractive apt-get "${options[@]}" install -y \
                --no-install-recommends "${@:5}" >"$log" 2>&1' \
            bash "/tmp/$command-install.log" "${apt_options[@]}" "$@" ||
            { log "installing $* failed"; return 1; }
    else
        command -v "$command" >/dev/null 2>&1 && return 0
        [[ $(id -u) == 0 ]] || { log "$command is missing; install Debian's $*"; return 1; }
        log "installing Debian's $*"
        apt-get "${apt_options[@]}" update &&
            DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install -y \
                --no-install-recommends "$@" >/dev/null
    fi
}

# Debian's Chromium for the browser tests (Playwright drives it; browsers are
# never downloaded).
ensure_chromium() { ensure_debian_tool chromium chromium fonts-dejavu-core; }
# Node.js checks the dashboard strategy's JavaScript (script/test).
ensure_node() { ensure_debian_tool node nodejs; }

in_env() { in_venv main "$@"; }
in_compat_env() { in_venv compat "$@"; }
in_newest_env() { in_venv newest "$@"; }
