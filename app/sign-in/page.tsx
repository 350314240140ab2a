import { SignInForm } from "@/components/auth/sign-in-form";
import { safeNext } from "@/lib/auth/access";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  return <SignInForm next={safeNext(typeof next === "string" ? next : undefined)} />;
}
