/** RFC 3339 with second precision, as Kubernetes serialises metav1.Time. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
