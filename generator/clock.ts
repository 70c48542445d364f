/** Today's date as YYYY-MM-DD (UTC); OZG_GITOPS_TODAY fixes it for reproducible runs and tests. */
export function today(): string {
  return process.env.OZG_GITOPS_TODAY ?? new Date().toISOString().slice(0, 10);
}
