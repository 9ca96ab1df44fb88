# Sourced by gemm_compare.sh and softmax_compare.sh from the repository root, after find_jdk25.sh:
# builds bench/target/benchmarks.jar when it is missing or older than a pom or a main source of a
# module it is made from (autograd, nn, train, bench and the parent), so that a comparison never
# times an earlier build of the kernels. Maven runs on the same JDK 25 as JAVA (the modular jars
# need its jar tool).
_bj_jar=bench/target/benchmarks.jar
if [[ ! -f "$_bj_jar" ]] || [[ -n "$(find pom.xml autograd nn train bench -path '*/target' -prune -o \
      \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$_bj_jar" -print -quit 2>/dev/null)" ]]; then
  echo "$(basename "$0"): building $_bj_jar (mvn -B -q -pl bench -am package -DskipTests), older than its sources or missing" >&2
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")" mvn -B -q -pl bench -am package -DskipTests
fi
unset _bj_jar
