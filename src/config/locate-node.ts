// Walks a parsed YAML document along a field path to the nodes that hold a key and its value.

import { type Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { FieldPath } from './config-problem.ts';

export interface FoundNode {
  /** The key node of the last mapping entry reached (null inside a sequence or at the root). */
  keyNode: Node | null;
  /** The value node reached. */
  valueNode: Node | null;
  /** Whether the whole path exists; otherwise the nodes are those of the deepest existing ancestor. */
  exact: boolean;
}

export function findNode(doc: Document, path: FieldPath): FoundNode {
  let valueNode = (doc.contents as Node | null) ?? null;
  let keyNode: Node | null = null;
  for (const segment of path) {
    if (isMap(valueNode)) {
      const pair = valueNode.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return { keyNode, valueNode, exact: false };
      keyNode = pair.key as Node;
      valueNode = (pair.value as Node | null) ?? null;
    } else if (isSeq(valueNode) && typeof segment === 'number') {
      const item = valueNode.items[segment] as Node | undefined;
      if (item === undefined) return { keyNode, valueNode, exact: false };
      keyNode = null;
      valueNode = item;
    } else {
      return { keyNode, valueNode, exact: false };
    }
  }
  return { keyNode, valueNode, exact: true };
}
