/**
 * Tells a `tofu init` that failed only for want of a network from one that failed for a reason of
 * its own (an impossible version pin, a provider that does not exist, a syntax error). Only the
 * first may turn a test into "cannot run here"; everything else is a failure of the repo.
 */

/** The error diagnostics of tofu's -no-color output, one text block each (heading and body). */
export function tofuErrors(output: string): string[] {
  return output
    .split(/^(?=Error: )/m)
    .filter((block) => block.startsWith('Error: '))
    .map((block) => block.split(/\n(?=Warning: )/)[0].trim());
}

// What an unreachable registry looks like in Go's net/http errors, as tofu prints them.
const NETWORK =
  /dial tcp[^\n]*?(no such host|connection refused|i\/o timeout|network is unreachable)|TLS handshake timeout/;
// Only these diagnostics report a failed registry request (internal/command/init.go).
const REGISTRY_REQUEST =
  /^Error: (Failed to resolve provider packages|Failed to query available provider packages|Error accessing remote module registry|Failed to install provider)\n/;

/** True when tofu reported at least one error and every one is a registry it could not reach. */
export function failedOnlyForNetwork(output: string): boolean {
  const errors = tofuErrors(output);
  // tofu wraps long lines; join them so a phrase split across lines still matches.
  return (
    errors.length > 0 && errors.every((e) => REGISTRY_REQUEST.test(e) && NETWORK.test(e.replace(/\n(?!\n)/g, ' ')))
  );
}
