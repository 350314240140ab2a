// Outside Next.js (vitest, CLI scripts) there is no client bundle to guard.
export {};
