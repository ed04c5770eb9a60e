/** What /readyz reports; the server flips it as listeners come up and go down. */
export interface Readiness {
  listening: boolean;
  shuttingDown: boolean;
}
