import { PageHeader } from '../../components/PageHeader.tsx';

export default function AuditPage() {
  return <PageHeader title="AuditPage" description="Not built yet" />;
}
