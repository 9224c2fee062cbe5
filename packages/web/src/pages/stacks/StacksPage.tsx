import { PageHeader } from '../../components/PageHeader.tsx';

export default function StacksPage() {
  return <PageHeader title="StacksPage" description="Not built yet" />;
}
