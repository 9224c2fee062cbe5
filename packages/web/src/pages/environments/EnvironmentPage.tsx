import { PageHeader } from '../../components/PageHeader.tsx';

export default function EnvironmentPage() {
  return <PageHeader title="EnvironmentPage" description="Not built yet" />;
}
