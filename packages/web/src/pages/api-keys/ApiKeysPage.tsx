import { PageHeader } from '../../components/PageHeader.tsx';

export default function ApiKeysPage() {
  return <PageHeader title="ApiKeysPage" description="Not built yet" />;
}
