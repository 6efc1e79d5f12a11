# Sourced by bin/downhill: needs_build ROOT JAR succeeds when JAR is missing or older than
# anything that goes into it: each module's pom and main sources and resources, the root pom,
# and examples/ (shipped inside the jar). What runs write (out/, predictions, any other CSV)
# never counts, so a command after a training run does not rebuild.

needs_build() {
    local root="$1" jar="$2" module
    [ ! -f "$jar" ] && return 0
    local inputs=("$root/pom.xml" "$root/examples")
    for module in "$root"/*/; do
        [ -f "$module/pom.xml" ] && inputs+=("$module/pom.xml" "$module/src/main")
    done
    [ -n "$(find "${inputs[@]}" -type f -newer "$jar" -print -quit 2>/dev/null)" ]
}
