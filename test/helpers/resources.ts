/**
 * What a run leaves behind in the test process.
 */

/** Active resources (Node's getActiveResourcesInfo) now that were not in `before`, counted by type. */
export function newResources(before: string[]): string[] {
  const left = [...before];
  return process.getActiveResourcesInfo().filter((r) => {
    const i = left.indexOf(r);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}
