import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import "./globals.css";
import { UserMenu } from "@/components/auth/user-menu";
import { StreamIndicator } from "@/components/metrics/stream-indicator";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: "Isolab — containers vs VMs, measured",
  description: "The same workload as a process, a container and a VM on one host, side by side.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <header className="top">
            <h1>Isolab</h1>
            <nav aria-label="Main">
              <Link href="/">Overview</Link>
              <Link href="/terminal">Terminals</Link>
              <Link href="/experiments">Experiments</Link>
              <Link href="/figures">Figures</Link>
              <Link href="/images">Images</Link>
              <Link href="/registry">Registry</Link>
              <Link href="/audit">Audit</Link>
              <Link href="/fleet">Fleet</Link>
            </nav>
            <StreamIndicator />
            <UserMenu />
          </header>
          <main>{children}</main>
        </Providers>
      </body>
    </html>
  );
}
