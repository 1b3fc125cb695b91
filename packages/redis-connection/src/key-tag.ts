/**
 * A Redis Cluster hash tag: keys containing the same `{…}` (the first `{` and the next `}`) hash to
 * one slot, so one script or MULTI may touch them all. Braces inside the value would end or start
 * the tag early; they are percent-encoded so the tag is exactly the value. On a single node a tag is
 * just part of the name.
 */
export function clusterKeyTag(value: string): string {
  return `{${value.replace(/[{}%]/g, (c) => encodeURIComponent(c))}}`;
}
