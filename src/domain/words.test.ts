import assert from 'node:assert/strict';
import { test } from 'node:test';
import { andList } from './words.ts';

test('a list is joined with commas and a last "and", with no serial comma', () => {
  assert.equal(andList([]), '');
  assert.equal(andList(['Police']), 'Police');
  assert.equal(andList(['Police', 'Health']), 'Police and Health');
  assert.equal(andList(['Police', 'Health', 'Housing']), 'Police, Health and Housing');
});
