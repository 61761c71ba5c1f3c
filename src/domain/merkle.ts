// The Merkle tree hash of RFC 6962 (Certificate Transparency, section 2.1) over the audit log: the
// root that a signed checkpoint commits to. Leaves and interior nodes are hashed with different
// prefixes (0x00, 0x01) so no interior node can be passed off as a leaf (the second-preimage attack
// RFC 6962 closes). An odd node at the end of a level is promoted unchanged, never paired with a
// copy of itself (Bitcoin's duplication lets two different lists share a root, CVE-2012-2459);
// promoting gives exactly RFC 6962's split at the largest power of two, so any CT verifier agrees.
import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF).update(data).digest();
}

/** An interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** MTH({}) = SHA-256 of nothing. */
export const EMPTY_ROOT = createHash('sha256').digest();

/** The root over `leaves` in order, level by level, the odd node at a level's end promoted. */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  let level = leaves.map(leafHash);
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/**
 * The same root, one leaf at a time in O(log n) memory: the audit log is read in pages and never
 * held whole. Keeps the roots of the perfect subtrees the leaves so far make up (their sizes are the
 * binary digits of the count, largest first); the root folds them from the right, as the promoted
 * odd nodes of `merkleRoot` do. `root()` can be asked at any count (each checkpoint's seq) and the
 * walk goes on.
 */
export class MerkleBuilder {
  private readonly stack: { hash: Buffer; size: number }[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(data: Uint8Array): void {
    let node = { hash: leafHash(data), size: 1 };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop()!;
      node = { hash: nodeHash(left.hash, node.hash), size: left.size * 2 };
    }
    this.stack.push(node);
    this.count++;
  }

  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let root = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) root = nodeHash(this.stack[i].hash, root);
    return root;
  }
}
