// The audit checkpoints' Merkle root: hand-built trees, Certificate Transparency's published
// vectors, RFC 6962's recursive definition, and the streaming builder agreeing with all three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { EMPTY_ROOT, leafHash, merkleRoot, MerkleBuilder, nodeHash } from './merkle.ts';

const sha256 = (...parts: (number[] | Buffer)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(Buffer.from(p));
  return h.digest();
};
const hex = (b: Buffer) => b.toString('hex');
const bytes = (s: string) => Buffer.from(s, 'utf8');

test('an empty tree is the hash of nothing', () => {
  assert.equal(hex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.deepEqual(merkleRoot([]), EMPTY_ROOT);
  assert.deepEqual(new MerkleBuilder().root(), EMPTY_ROOT);
});

test('small trees, built by hand with a 0x00 prefix on leaves and 0x01 on nodes', () => {
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(bytes);
  const L = (x: Buffer) => sha256([0x00], x);
  const N = (l: Buffer, r: Buffer) => sha256([0x01], l, r);

  // one leaf: the root is the leaf's hash, not the data itself
  assert.deepEqual(merkleRoot([a]), L(a));
  // known digest of 0x00 || "a", so the prefix is the byte 0, not the character '0'
  assert.equal(hex(L(a)), '022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c');
  assert.deepEqual(merkleRoot([a, b]), N(L(a), L(b)));
  // three: c is promoted to the second level unhashed again, never paired with itself
  assert.deepEqual(merkleRoot([a, b, c]), N(N(L(a), L(b)), L(c)));
  // five: e rides up two levels alone
  assert.deepEqual(merkleRoot([a, b, c, d, e]), N(N(N(L(a), L(b)), N(L(c), L(d))), L(e)));
  assert.deepEqual(leafHash(a), L(a));
  assert.deepEqual(nodeHash(L(a), L(b)), N(L(a), L(b)));
});

// Certificate Transparency's reference tree (certificate-transparency merkle_tree_test, RFC 6962):
// the root over the first n inputs.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

test('Certificate Transparency’s reference roots, whole and leaf by leaf', () => {
  const builder = new MerkleBuilder();
  CT_LEAVES.forEach((leaf, i) => {
    builder.add(leaf);
    assert.equal(hex(merkleRoot(CT_LEAVES.slice(0, i + 1))), CT_ROOTS[i], `level-by-level root over ${i + 1}`);
    assert.equal(hex(builder.root()), CT_ROOTS[i], `streamed root over ${i + 1}`);
    assert.equal(builder.size, i + 1);
  });
});

/** RFC 6962 section 2.1 as written: split at the largest power of two below n. */
function rfc6962(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leafHash(leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(rfc6962(leaves.slice(0, k)), rfc6962(leaves.slice(k)));
}

test('promoting the odd node gives RFC 6962’s tree at every size to 130', () => {
  const leaves = Array.from({ length: 130 }, (_, i) => sha256(bytes(`entry ${i}`)));
  const builder = new MerkleBuilder();
  for (let n = 0; n <= leaves.length; n++) {
    const expected = hex(rfc6962(leaves.slice(0, n)));
    assert.equal(hex(merkleRoot(leaves.slice(0, n))), expected, `merkleRoot, n=${n}`);
    assert.equal(hex(builder.root()), expected, `builder, n=${n}`);
    if (n < leaves.length) builder.add(leaves[n]);
  }
});

test('any change, reordering, duplication or disguised node changes the root', () => {
  const leaves = ['a', 'b', 'c'].map((x) => sha256(bytes(x)));
  const root = hex(merkleRoot(leaves));
  assert.notEqual(hex(merkleRoot([leaves[0], sha256(bytes('B')), leaves[2]])), root);
  assert.notEqual(hex(merkleRoot([leaves[1], leaves[0], leaves[2]])), root);
  assert.notEqual(hex(merkleRoot([...leaves, leaves[2]])), root, 'duplicating the last leaf must not keep the root');
  assert.notEqual(hex(merkleRoot(leaves.slice(0, 2))), root);
  // a leaf whose data is two child hashes is not that interior node
  const pair = merkleRoot(leaves.slice(0, 2));
  assert.notEqual(hex(merkleRoot([Buffer.concat([leafHash(leaves[0]), leafHash(leaves[1])])])), hex(pair));
});
