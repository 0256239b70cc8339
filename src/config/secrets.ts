/** Secrets out of text: every secret value replaced by ***, the longest first (a secret may contain a shorter one). */
export const HIDDEN = '***'

export function hideSecrets(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (secret) out = out.split(secret).join(HIDDEN)
  return out
}
