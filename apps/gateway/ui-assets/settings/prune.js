/** A copy without the members left empty, so that the API applies its defaults to them. */
export function prune(object) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== ''));
}
