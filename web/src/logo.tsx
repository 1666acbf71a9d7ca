export function Logo({ small = false }: { small?: boolean }) {
  return (
    <span className={small ? 'logo small' : 'logo'}>
      <svg viewBox="0 0 32 32" width={small ? 22 : 36} height={small ? 22 : 36} aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--accent)" />
        <path d="M7 20c3 0 3-8 6-8s3 8 6 8 3-8 6-8" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" />
      </svg>
      <span className="logo-text">agentwire</span>
    </span>
  );
}
