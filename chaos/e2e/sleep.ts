/** Real time: end-to-end runs drive real processes, so nothing here is virtual. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
