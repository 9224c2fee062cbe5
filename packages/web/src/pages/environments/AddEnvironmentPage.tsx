import { PageHeader } from '../../components/PageHeader.tsx';

export default function AddEnvironmentPage() {
  return <PageHeader title="AddEnvironmentPage" description="Not built yet" />;
}
