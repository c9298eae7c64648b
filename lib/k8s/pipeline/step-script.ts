import { ORCHESTRATOR_CONTRACT } from './orchestrator-contract';

/** Exit codes of a step pod, which its retry expression reads (sysexits.h names). */
export const STEP_EXIT = {
  /** EX_TEMPFAIL: timeout, connection error, 408, 429, 502, 503, 504: worth another try. */
  retryable: 75,
  /** EX_DATAERR: any other non-2xx answer: the request itself is wrong, a retry gets the same. */
  rejected: 65,
} as const;

/** Where a step pod finds its inputs (artifacts, one file each) and writes its response. */
export const STEP_PATHS = {
  inputDir: '/inputs',
  request: '/tmp/request.json',
  response: '/tmp/response.json',
} as const;

/** Name of the input artifact of a step that takes the pipeline's input. */
export const PIPELINE_INPUT = 'input';

/**
 * The shell script of a step pod: build the request from the inputs, POST it to `$STEP_URL` within
 * `$STEP_TIMEOUT_SECONDS`, keep the response, and exit with a code that says whether to retry.
 * Runs in busybox or dash `sh`; the status comes from curl's `--write-out`, not `--fail`, so that a
 * rejected request's body still reaches the log.
 */
export function stepScript(dependsOn: readonly string[]): string {
  const file = (name: string) => `${STEP_PATHS.inputDir}/${name}.json`;
  const lines = ['set -eu'];
  if (dependsOn.length === 0) {
    lines.push(`request=${file(PIPELINE_INPUT)}`);
  } else if (dependsOn.length === 1) {
    lines.push(`request=${file(dependsOn[0])}`);
  } else {
    // A fan-in: one JSON object of the responses, keyed by step name (names are DNS labels: no quoting needed).
    const parts = dependsOn.map((d, i) => `printf '${i === 0 ? '{' : ','}"${d}":'; cat ${file(d)}`);
    lines.push(`{ ${parts.join('; ')}; printf '}'; } > ${STEP_PATHS.request}`, `request=${STEP_PATHS.request}`);
  }
  const retryable = ORCHESTRATOR_CONTRACT.retryStatuses.join('|');
  lines.push(
    'code=$(curl --silent --show-error --connect-timeout 5 --max-time "$STEP_TIMEOUT_SECONDS" \\',
    '  --request POST --header "Content-Type: application/json" --data-binary "@$request" \\',
    `  --output ${STEP_PATHS.response} --write-out "%{http_code}" "$STEP_URL") \\`,
    `  || { echo "POST $STEP_URL failed (curl exit $?), will retry" >&2; exit ${STEP_EXIT.retryable}; }`,
    'case "$code" in',
    // A 204 writes no file; an empty response is still a response.
    `  2??) echo "POST $STEP_URL: $code"; [ -f ${STEP_PATHS.response} ] || : > ${STEP_PATHS.response} ;;`,
    `  ${retryable}) echo "POST $STEP_URL: $code, will retry" >&2; exit ${STEP_EXIT.retryable} ;;`,
    `  *) echo "POST $STEP_URL: $code, not retried:" >&2; head -c 1024 ${STEP_PATHS.response} >&2 || true; echo >&2; exit ${STEP_EXIT.rejected} ;;`,
    'esac',
  );
  return lines.join('\n') + '\n';
}
