/**
 * Two models' stage names in one order, for side-by-side reports: the names both have stay matched, and each
 * model's other stages go where they sit in its network. ResNet (stem, stage1-4, classifier) beside
 * EfficientNet-B0 (stem, stage1-7, head, classifier) reads stem, stage1-7, head, classifier: the classifier
 * last, not in front of the stages only one model has.
 *
 * A merge along the longest common subsequence, as a diff aligns lines.
 */
export function alignStageNames(a: readonly string[], b: readonly string[]): string[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(a[i++]!);
    } else {
      out.push(b[j++]!);
    }
  }
  // A name both have but the subsequence could not match (a different order) would appear twice: keep the first.
  return [...new Set(out)];
}
