# Sourced by the project's scripts: find_java prints the newest java of release 25 or later
# (JAVA_HOME, the PATH, then the usual install folders), or fails saying what to install.

java_major() { # the major version of the java binary $1, or 0
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1 || echo 0
}

find_java() {
    local candidates=() dir best="" best_major=0 major candidate
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
    command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
    for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
        [ -x "$dir/bin/java" ] && candidates+=("$dir/bin/java")
    done
    for candidate in "${candidates[@]}"; do
        major="$(java_major "$candidate")"
        if [ "${major:-0}" -ge 25 ] && [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major="$major"; fi
    done
    if [ -z "$best" ]; then
        echo "downhill: error: Java 25 or newer is needed and none was found; install a JDK 25 (e.g. Temurin 25) or set JAVA_HOME to one" >&2
        return 1
    fi
    echo "$best"
}
