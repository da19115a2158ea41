// restic's fatal errors, turned into sentences that say what to do.

export function explainResticFailure(stderr: string[], repository: string): string {
  const text = stderr.join('\n');
  if (/wrong password|no key found/i.test(text)) {
    return `restic could not open the repository ${repository}: wrong password; check the target's \`password\` (the value is not shown)`;
  }
  if (/unable to open config file|Is there a repository at the following location|repository does not exist/i.test(text)) {
    return `there is no restic repository at ${repository}: create it with \`restic init\` (with the same password), or fix the path`;
  }
  if (/repository is already locked/i.test(text)) {
    return `the restic repository ${repository} is locked by another restic process; wait for it, or run \`restic unlock\` if it died`;
  }
  const fatal = stderr.filter((line) => /^Fatal:|^error:/i.test(line)).join('; ');
  return `restic failed on ${repository}: ${fatal || stderr.slice(-3).join('; ') || 'no error message'}`;
}
