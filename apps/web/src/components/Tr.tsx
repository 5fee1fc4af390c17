import { useTranslation } from 'react-i18next';

/** A translated enum value (`cr.options.low`), falling back to the value itself. */
export function Tr({ prefix, value }: { prefix: string; value: string | null | undefined }) {
  const { t } = useTranslation();
  if (value === null || value === undefined) return <>—</>;
  return <>{t(`${prefix}.${value}`, { defaultValue: value })}</>;
}
