// From linked pairs to people: the records joined by links above the threshold, directly or
// through one another. Connected components, because agencies' records of one child rarely all
// agree with each other but each usually agrees with another (the school's record with health's,
// health's with the police's).

/** Union–find with path halving and union by size. */
export class DisjointSets {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(count: number) {
    this.parent = new Int32Array(count);
    this.size = new Int32Array(count).fill(1);
    for (let i = 0; i < count; i++) this.parent[i] = i;
  }

  find(x: number): number {
    let node = x;
    while (this.parent[node] !== node) {
      this.parent[node] = this.parent[this.parent[node]];
      node = this.parent[node];
    }
    return node;
  }

  /** true when x and y were in different sets */
  union(x: number, y: number): boolean {
    let rx = this.find(x);
    let ry = this.find(y);
    if (rx === ry) return false;
    if (this.size[rx] < this.size[ry]) [rx, ry] = [ry, rx];
    this.parent[ry] = rx;
    this.size[rx] += this.size[ry];
    return true;
  }
}

export interface Link {
  a: number;
  b: number;
  probability: number;
}

export interface Cluster {
  /** record indices, ascending */
  members: number[];
  /** the links that hold the cluster together, with their scores, so a reviewer can see why */
  links: Link[];
  /** the weakest of those links: a cluster is only as sure as the link that joined it */
  weakest: number;
}

export interface ClusterOptions {
  /**
   * True when two records are evidently different people. Two clusters are not joined when any
   * record of one conflicts with any record of the other: without this, one sparse record ("Jack
   * Norby", no date of birth) that links to two brothers joins them into one child.
   */
  conflict?: (a: number, b: number) => boolean;
  /** check at most this many record pairs before a join (default 2,500); beyond it, join */
  maxChecks?: number;
}

/**
 * Clusters of `count` records from the links at or above `threshold`, strongest link first. Every
 * record is in exactly one cluster (a record linked to nothing is a cluster of one); clusters are
 * ordered by their first record.
 */
export function clusterLinks(count: number, links: readonly Link[], threshold: number, options: ClusterOptions = {}): Cluster[] {
  const sets = new DisjointSets(count);
  const members = new Map<number, number[]>();
  const membersOf = (root: number) => members.get(root) ?? [root];
  const maxChecks = options.maxChecks ?? 2_500;
  const kept: Link[] = [];
  const ordered = links.filter((link) => link.probability >= threshold).sort((x, y) => y.probability - x.probability || x.a - y.a || x.b - y.b);
  for (const link of ordered) {
    const ra = sets.find(link.a);
    const rb = sets.find(link.b);
    if (ra === rb) {
      kept.push(link);
      continue;
    }
    const left = membersOf(ra);
    const right = membersOf(rb);
    if (options.conflict && left.length * right.length <= maxChecks && left.some((x) => right.some((y) => options.conflict!(x, y)))) continue;
    sets.union(ra, rb);
    const root = sets.find(ra);
    members.set(root, [...left, ...right]);
    members.delete(root === ra ? rb : ra);
    kept.push(link);
  }

  const byRoot = new Map<number, Cluster>();
  const clusters: Cluster[] = [];
  for (let i = 0; i < count; i++) {
    const root = sets.find(i);
    let cluster = byRoot.get(root);
    if (!cluster) {
      cluster = { members: [], links: [], weakest: 1 };
      byRoot.set(root, cluster);
      clusters.push(cluster);
    }
    cluster.members.push(i);
  }
  for (const link of kept) {
    const cluster = byRoot.get(sets.find(link.a))!;
    cluster.links.push(link);
    cluster.weakest = Math.min(cluster.weakest, link.probability);
  }
  return clusters;
}
