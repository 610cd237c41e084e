// Answers come as a list, or as an object holding one under a known key.
export function listOf(answer, ...keys) {
  if (Array.isArray(answer)) return answer;
  for (const key of keys) if (Array.isArray(answer?.[key])) return answer[key];
  return [];
}
