import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";

// Accounts, tokens and sign-in: the shapes the API, the CLI and the forms share.

export const RoleSchema = z.enum(ROLES);

/** Account and token names: short, printable, no spaces at the ends. */
export const AccountNameSchema = z
  .string()
  .trim()
  .min(1, "a name is required")
  .max(64, "at most 64 characters")
  .regex(/^[A-Za-z0-9._@-]+$/, "letters, digits, . _ @ - only");

export const TokenNameSchema = z.string().trim().min(1, "a name is required").max(64, "at most 64 characters");

/** argon2 hashes anything, but an unbounded password is an unbounded hash input. */
export const PasswordSchema = z.string().min(8, "at least 8 characters").max(1024, "at most 1024 characters");

export const SignInSchema = z.union([
  z.object({ username: AccountNameSchema, password: z.string().min(1, "a password is required").max(1024) }).strict(),
  z.object({ token: z.string().trim().min(1, "a token is required").max(200) }).strict(),
]);
export type SignInInput = z.infer<typeof SignInSchema>;

export const CreateTokenSchema = z.object({ name: TokenNameSchema, role: RoleSchema }).strict();
export const CreateUserSchema = z.object({ name: AccountNameSchema, role: RoleSchema, password: PasswordSchema }).strict();

export interface Principal {
  name: string;
  role: z.infer<typeof RoleSchema>;
  via: "session" | "token";
}

export interface UserInfo {
  name: string;
  role: z.infer<typeof RoleSchema>;
  createdAt: number;
}

export interface TokenInfo {
  id: string;
  name: string;
  role: z.infer<typeof RoleSchema>;
  createdAt: number;
  createdBy: string;
  lastUsedAt: number | null;
}
