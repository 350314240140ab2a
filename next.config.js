/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and system-facing modules stay outside the server bundle.
  serverExternalPackages: ["better-sqlite3", "systeminformation", "node-pty"],
  poweredByHeader: false,
};
module.exports = nextConfig;
