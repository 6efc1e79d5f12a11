# Sourced by the bundle's scripts on the GPU machine: unpacks the Java runtime once and sets
# here, java, OUT (the folder for logs; the device tool's $OUT when set).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$here/jre/bin/java" ]; then tar -C "$here" -xJf "$here/jre.tar.xz"; fi
java="$here/jre/bin/java"
OUT="${OUT:-$here/out}"
mkdir -p "$OUT"
downhill() { "$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Djava.awt.headless=true -jar "$here/lib/downhill.jar" "$@"; }
